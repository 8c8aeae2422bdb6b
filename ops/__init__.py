"""The operators' command line: `python -m ops <command>` (see docs/operations.md).

It wires the service-agnostic mechanisms of shared/ops to each service's own settings, in
the environment of that service (run it in the service's container, or with its variables).
"""

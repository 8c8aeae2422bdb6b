"""Operations mechanisms behind the `python -m ops` commands and the metrics: consumer groups
(lag, replay), dead letters, outbox backlog, database backups, key and secret rotation.
Service-agnostic: the `ops` package wires them to each service's settings and tables."""

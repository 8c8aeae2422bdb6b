"""Errors the domain layers raise that the HTTP layer knows how to answer."""
from __future__ import annotations


class InvalidFields(Exception):
    """A business rule refuses the input; `errors` maps field paths to messages (answered as 422)."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(f"{field}: {' '.join(messages)}" for field, messages in errors.items()))
        self.errors = errors


class StateConflict(Exception):
    """The thing is not in a state that allows this step (answered as 409 with the reason)."""

"""Editions by address for the public registration path, kept a few seconds per process.

In a registration surge every request needs its edition (open dates, categories, delegate caps);
reading it once per process every few seconds instead of once per request saves a pool checkout
and two queries each time. An organiser's edit takes effect at once in the process that saved it
and within `ttl_seconds` in the others; an unknown address is never remembered, so a new edition
is found at once.
"""
from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy.engine import Engine

from services.registration.adapters import repository
from services.registration.domain.editions import Edition


class EditionCache:
    def __init__(self, engine: Engine, ttl_seconds: float, clock: Callable[[], float] = time.monotonic):
        self._engine = engine
        self._ttl = ttl_seconds
        self._clock = clock
        self._found: dict[str, tuple[float, Edition]] = {}

    def by_slug(self, slug: str) -> Edition | None:
        kept = self._found.get(slug)
        if kept and self._clock() - kept[0] < self._ttl:
            return kept[1]
        with self._engine.connect() as connection:
            edition = repository.edition_by(connection, slug=slug)
        if edition is not None:
            self._found[slug] = (self._clock(), edition)
        return edition

    def forget(self, slug: str) -> None:
        self._found.pop(slug, None)

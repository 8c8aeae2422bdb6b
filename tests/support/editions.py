"""Editions for tests: open for registration now, so submissions are accepted."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from services.registration.domain.editions import CategoryRule
from services.registration.manage import ensure_edition

EDITION = "dpd-2026"


def open_edition(env: dict, slug: str = EDITION, categories: dict[str, CategoryRule] | None = None) -> str:
    now = datetime.now(timezone.utc)
    return ensure_edition(env, slug=slug, name="Defence Partnership Days 2026", venue="Manekshaw Centre, New Delhi",
                          starts_on=date.today() + timedelta(days=30), ends_on=date.today() + timedelta(days=31),
                          registration_opens_at=now - timedelta(days=1), registration_closes_at=now + timedelta(days=29),
                          categories=categories)

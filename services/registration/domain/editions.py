"""An edition: one running of the event, with its dates, its registration window and, per
category of organisation, how many may be approved and how many delegates each may bring."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from shared.errors import InvalidFields, StateConflict

DEFAULT_MAX_DELEGATES = 5


@dataclass(frozen=True)
class CategoryRule:
    capacity: int | None  # organisations that may be approved; None: no limit
    max_delegates: int


@dataclass(frozen=True)
class Edition:
    slug: str
    name: str
    venue: str
    starts_on: date
    ends_on: date
    time_zone: str
    registration_opens_at: datetime
    registration_closes_at: datetime
    categories: dict[str, CategoryRule] = field(default_factory=dict)
    id: str | None = None

    def rule_for(self, category: str) -> CategoryRule:
        return self.categories.get(category, CategoryRule(capacity=None, max_delegates=DEFAULT_MAX_DELEGATES))

    def check_open(self, now: datetime) -> None:
        local = ZoneInfo(self.time_zone)
        if now < self.registration_opens_at:
            raise StateConflict(f"Registration for {self.name} opens on "
                                f"{self.registration_opens_at.astimezone(local):%d %b %Y at %H:%M}.")
        if now >= self.registration_closes_at:
            raise StateConflict(f"Registration for {self.name} closed on "
                                f"{self.registration_closes_at.astimezone(local):%d %b %Y at %H:%M}.")


def check_edition(edition: Edition) -> Edition:
    errors: dict[str, list[str]] = {}
    if edition.ends_on < edition.starts_on:
        errors["ends_on"] = ["The event cannot end before it starts."]
    if edition.registration_closes_at <= edition.registration_opens_at:
        errors["registration_closes_at"] = ["Registration must close after it opens."]
    try:
        ZoneInfo(edition.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        errors["time_zone"] = [f"Unknown time zone {edition.time_zone!r}; e.g. Asia/Kolkata."]
    for category, rule in edition.categories.items():
        if rule.capacity is not None and rule.capacity < 0:
            errors[f"categories.{category}.capacity"] = ["Must be zero or more."]
        if not 1 <= rule.max_delegates <= 50:
            errors[f"categories.{category}.max_delegates"] = ["Between 1 and 50 delegates."]
    if errors:
        raise InvalidFields(errors)
    return edition

"""What the back-office forms may carry, checked before any use case sees it."""
from __future__ import annotations

from datetime import date

from marshmallow import EXCLUDE, Schema, fields, post_load, pre_load, validate

from services.notification.announcements import Draft
from services.notification.domain.segments import Segment

STATUSES = ("pending", "sent", "failed")
# The days a delivery log can be searched by: beyond them a day's bounds do not fit a timestamp.
_LOG_DAYS = validate.Range(min=date(2000, 1, 1), max=date(2099, 12, 31), error="Pick a day from 2000 to 2099.")


class AnnouncementIn(Schema):
    class Meta:
        unknown = EXCLUDE  # the CSRF token and the button pressed

    segment = fields.String(required=True, validate=validate.OneOf([s.value for s in Segment],
                                                                   error="Choose who should receive it."))
    edition_id = fields.UUID(load_default=None, allow_none=True)
    subject = fields.String(required=True, validate=validate.Length(min=3, max=200))
    body = fields.String(required=True, validate=validate.Length(min=10, max=20_000))

    @post_load
    def to_draft(self, data: dict, **_kwargs) -> Draft:
        return Draft(segment=Segment(data["segment"]), edition_id=str(data["edition_id"]) if data["edition_id"] else None,
                     subject=" ".join(data["subject"].split()), body=data["body"].strip())


class LogFilterIn(Schema):
    """The delivery log's search form (a GET query: every field may be empty)."""

    class Meta:
        unknown = EXCLUDE

    person = fields.String(load_default="", validate=validate.Length(max=254))
    event_type = fields.String(load_default="", validate=validate.Length(max=200))
    status = fields.String(load_default="", validate=validate.OneOf(("",) + STATUSES))
    since = fields.Date(load_default=None, allow_none=True, validate=_LOG_DAYS)
    until = fields.Date(load_default=None, allow_none=True, validate=_LOG_DAYS)

    @pre_load
    def blank_days_mean_any(self, data, **_kwargs) -> dict:
        """The search form sends its empty date boxes as `since=&until=`."""
        return {key: value for key, value in data.items() if key not in ("since", "until") or value.strip()}

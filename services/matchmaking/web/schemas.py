"""What crosses matchmaking's HTTP boundary, checked by marshmallow."""
from __future__ import annotations

from marshmallow import Schema, fields, post_load, validate

from services.matchmaking.domain.frame import Break, Day, PartOfDay

PARTY = validate.Regexp(r"^(company|officer):[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", error="Give a participant's key (company:<id> or officer:<id>).")


class BreakIn(Schema):
    starts = fields.Time(required=True)
    ends = fields.Time(required=True)
    label = fields.String(load_default="Break", validate=validate.Length(max=60))

    @post_load
    def make(self, data, **_):
        return Break(**data)


class DayIn(Schema):
    date = fields.Date(required=True)
    opens = fields.Time(required=True)
    closes = fields.Time(required=True)
    breaks = fields.List(fields.Nested(BreakIn), load_default=list, validate=validate.Length(max=6))

    @post_load
    def make(self, data, **_):
        return Day(date=data["date"], opens=data["opens"], closes=data["closes"], breaks=tuple(data["breaks"]))


class FrameIn(Schema):
    time_zone = fields.String(load_default="Asia/Kolkata")
    days = fields.List(fields.Nested(DayIn), required=True, validate=validate.Length(min=1, max=10))
    slot_minutes = fields.Integer(load_default=20)
    b2g_tables = fields.Integer(required=True)
    b2b_tables = fields.Integer(required=True)
    officers_keep_tables = fields.Boolean(load_default=True)
    max_open_requests_per_company = fields.Integer(load_default=30)
    max_meetings_per_officer_per_day = fields.Integer(load_default=16)
    max_meetings_per_company_per_day = fields.Integer(load_default=None, allow_none=True)
    response_hours = fields.Integer(load_default=72)


class RequestIn(Schema):
    receiver = fields.String(required=True, validate=PARTY)
    agenda = fields.String(required=True)
    part_of_day = fields.Enum(PartOfDay, by_value=True, load_default=PartOfDay.ANY)


class AcceptIn(Schema):
    starred = fields.Boolean(load_default=False)


class ReasonIn(Schema):
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


class AvailabilityIn(Schema):
    unavailable = fields.List(fields.AwareDateTime(), required=True, validate=validate.Length(max=400))


class RunIn(Schema):
    allow_moves = fields.Boolean(load_default=False)
    time_limit_seconds = fields.Integer(load_default=10)


class PlaceIn(Schema):
    starts_at = fields.AwareDateTime(required=True)
    table = fields.String(required=True, validate=validate.Length(min=1, max=20))
    pinned = fields.Boolean(load_default=True)


# --- what the JSON API answers: declarations for its OpenAPI document (shared/openapi.py) --------

class RecommendationOut(Schema):
    key = fields.String(required=True)
    kind = fields.String(required=True, metadata={"enum": ["company", "officer"]})
    name = fields.String(required=True)
    score = fields.Float(required=True)
    shared_sectors = fields.List(fields.String(), required=True)
    matching_terms = fields.List(fields.String(), required=True)
    reasons = fields.List(fields.String(), required=True)


class RecommendationsOut(Schema):
    recommendations = fields.List(fields.Nested(RecommendationOut), required=True)


class MeetingRequestOut(Schema):
    id = fields.UUID(required=True)
    kind = fields.String(required=True, metadata={"enum": ["b2g", "b2b"]})
    status = fields.String(required=True)
    requester = fields.String(required=True)
    requester_name = fields.String(required=True, allow_none=True)
    receiver = fields.String(required=True)
    receiver_name = fields.String(required=True, allow_none=True)
    agenda = fields.String(required=True)
    part_of_day = fields.String(required=True)
    starred = fields.Boolean(required=True)
    decline_reason = fields.String(required=True, allow_none=True)
    cancel_reason = fields.String(required=True, allow_none=True)
    respond_by = fields.AwareDateTime(required=True)
    created_at = fields.AwareDateTime(required=True)


class MyRequestsOut(Schema):
    received = fields.List(fields.Nested(MeetingRequestOut), required=True)
    sent = fields.List(fields.Nested(MeetingRequestOut), required=True)


class RequestStatusOut(Schema):
    id = fields.UUID(required=True)
    status = fields.String(required=True)


class SlotOut(Schema):
    starts_at = fields.AwareDateTime(required=True)
    ends_at = fields.AwareDateTime(required=True)
    available = fields.Boolean(required=True)


class AvailabilityOut(Schema):
    slots = fields.List(fields.Nested(SlotOut), required=True)


class AgendaItemOut(Schema):
    meeting_id = fields.UUID(required=True)
    kind = fields.String(required=True)
    with_ = fields.String(data_key="with", required=True)
    agenda = fields.String(required=True)
    starts_at = fields.AwareDateTime(required=True)
    ends_at = fields.AwareDateTime(required=True)
    table = fields.String(required=True)


class AgendaOut(Schema):
    meetings = fields.List(fields.Nested(AgendaItemOut), required=True)


class BreakOut(Schema):
    starts = fields.String(required=True)
    ends = fields.String(required=True)
    label = fields.String(required=True)


class DayOut(Schema):
    date = fields.Date(required=True)
    opens = fields.String(required=True)
    closes = fields.String(required=True)
    breaks = fields.List(fields.Nested(BreakOut), required=True)


class FrameOut(Schema):
    edition_id = fields.UUID(required=True)
    time_zone = fields.String(required=True)
    days = fields.List(fields.Nested(DayOut), required=True)
    slot_minutes = fields.Integer(required=True)
    b2g_tables = fields.Integer(required=True)
    b2b_tables = fields.Integer(required=True)
    officers_keep_tables = fields.Boolean(required=True)
    max_open_requests_per_company = fields.Integer(required=True)
    max_meetings_per_officer_per_day = fields.Integer(required=True)
    max_meetings_per_company_per_day = fields.Integer(required=True, allow_none=True)
    response_hours = fields.Integer(required=True)
    slots = fields.Integer(required=True, metadata={"description": "How many slots the frame makes."})


class RunQueuedOut(Schema):
    id = fields.UUID(required=True)
    status = fields.String(required=True)


class RunOut(Schema):
    id = fields.UUID(required=True)
    edition_id = fields.UUID(required=True)
    status = fields.String(required=True)
    allow_moves = fields.Boolean(required=True)
    figures = fields.Dict(required=True, allow_none=True)
    unplaced = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    error = fields.String(required=True, allow_none=True)


class PublishedOut(Schema):
    id = fields.UUID(required=True)
    status = fields.String(required=True)
    scheduled = fields.Integer(required=True)
    moved = fields.Integer(required=True)
    unchanged = fields.Integer(required=True)


class GridMeetingOut(Schema):
    meeting_id = fields.UUID(required=True)
    starts_at = fields.AwareDateTime(required=True)
    table = fields.String(required=True)
    kind = fields.String(required=True)
    parties = fields.String(required=True)
    pinned = fields.Boolean(required=True)


class ScheduleOut(Schema):
    meetings = fields.List(fields.Nested(GridMeetingOut), required=True)


class PlacedOut(Schema):
    id = fields.UUID(required=True)
    starts_at = fields.AwareDateTime(required=True)
    table = fields.String(required=True)
    pinned = fields.Boolean(required=True)


class PinnedOut(Schema):
    id = fields.UUID(required=True)
    pinned = fields.Boolean(required=True)

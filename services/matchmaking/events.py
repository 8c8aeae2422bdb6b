"""The contracts matchmaking publishes (its meetings' lives) and its own copies of those it
consumes (registration's and billing's), each versioned.

Every meeting event carries the whole meeting as its two sides should hear about it: both
parties with their names and email addresses, the agenda, and once placed the start and end
in UTC, the table and the edition's time zone, with the calendar sequence number that grows
with every change. Notification can email both sides with a calendar invite without calling
back. Copies of consumed contracts keep only the fields matchmaking uses and ignore the rest.
"""
from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from shared.events import ContractRegistry
from shared.revocation import IDENTITY_EVENTS_TOPIC
from shared.revocation import register_contract as register_access_revoked

SOURCE = "dpd/matchmaking"
EVENTS_TOPIC = "matchmaking.events"
REGISTRATION_TOPIC = "registration.events"
BILLING_TOPIC = "billing.events"
IDENTITY_TOPIC = IDENTITY_EVENTS_TOPIC

MEETING_REQUESTED = "matchmaking.meeting_requested.v1"
MEETING_ACCEPTED = "matchmaking.meeting_accepted.v1"
MEETING_DECLINED = "matchmaking.meeting_declined.v1"
MEETING_EXPIRED = "matchmaking.meeting_expired.v1"
MEETING_CANCELLED = "matchmaking.meeting_cancelled.v1"
MEETING_SCHEDULED = "matchmaking.meeting_scheduled.v1"
MEETING_MOVED = "matchmaking.meeting_moved.v1"
PUBLISHED = (MEETING_REQUESTED, MEETING_ACCEPTED, MEETING_DECLINED, MEETING_EXPIRED, MEETING_CANCELLED,
             MEETING_SCHEDULED, MEETING_MOVED)

EDITION_SAVED = "registration.edition_saved.v1"
REGISTRATION_SUBMITTED = "registration.submitted.v1"
REGISTRATION_APPROVED = "registration.approved.v1"
REGISTRATION_REJECTED = "registration.rejected.v1"
REGISTRATION_WAITLISTED = "registration.waitlisted.v1"
REGISTRATION_CHANGES_REQUESTED = "registration.changes_requested.v1"
REGISTRATION_CANCELLED = "registration.cancelled.v1"
REGISTRATION_UPDATED = "registration.updated.v1"
DELEGATE_ADDED = "registration.delegate_added.v1"
DELEGATE_REMOVED = "registration.delegate_removed.v1"
OFFICER_ADDED = "registration.officer_added.v1"
OFFICER_UPDATED = "registration.officer_updated.v1"
OFFICER_REMOVED = "registration.officer_removed.v1"
PERSONAL_DATA_ERASED = "registration.personal_data_erased.v1"
SPONSORSHIP_CONFIRMED = "billing.sponsorship_confirmed.v1"
SPONSORSHIP_WITHDRAWN = "billing.sponsorship_withdrawn.v1"


# --- published -------------------------------------------------------------------------------

class PersonV1(Schema):
    name = fields.String(required=True)
    email = fields.Email(required=True)


class PartyV1(Schema):
    """One side of a meeting: a company delegation or an officer, and the people to tell."""

    kind = fields.String(required=True, validate=validate.OneOf(["company", "officer"]))
    id = fields.UUID(required=True)  # registration id or officer id
    name = fields.String(required=True)  # the organisation's legal name, or the officer's rank and name
    detail = fields.String(required=True)  # the officer's appointment, or the organisation's reference
    people = fields.List(fields.Nested(PersonV1), required=True)


class MeetingV1(Schema):
    meeting_id = fields.UUID(required=True)  # stable: the calendar invite's UID is built from it
    edition_id = fields.UUID(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(["b2g", "b2b"]))
    requester = fields.Nested(PartyV1, required=True)
    receiver = fields.Nested(PartyV1, required=True)
    agenda = fields.String(required=True)
    part_of_day = fields.String(required=True, validate=validate.OneOf(["any", "morning", "afternoon"]))
    time_zone = fields.String(required=True)  # the edition's, for showing times as people at the venue read them
    sequence = fields.Integer(required=True, validate=validate.Range(min=0))
    starts_at = fields.AwareDateTime(required=True, allow_none=True)  # UTC; None until placed
    ends_at = fields.AwareDateTime(required=True, allow_none=True)
    table = fields.String(required=True, allow_none=True)


class MeetingRequestedV1(MeetingV1):
    requested_by = fields.String(required=True)  # the delegate who asked
    respond_by = fields.AwareDateTime(required=True)


class MeetingAnsweredV1(MeetingV1):
    answered_at = fields.AwareDateTime(required=True)


class MeetingDeclinedV1(MeetingAnsweredV1):
    reason = fields.String(required=True, allow_none=True)


class MeetingExpiredV1(MeetingV1):
    expired_at = fields.AwareDateTime(required=True)


class MeetingCancelledV1(MeetingV1):
    """`starts_at`.. say where it was, if it had been placed: calendars remove it."""

    cancelled_by = fields.String(required=True, validate=validate.OneOf(["requester", "receiver", "organiser",
                                                                          "platform"]))
    reason = fields.String(required=True, allow_none=True)
    cancelled_at = fields.AwareDateTime(required=True)


class MeetingScheduledV1(MeetingV1):
    starts_at = fields.AwareDateTime(required=True)
    ends_at = fields.AwareDateTime(required=True)
    table = fields.String(required=True)


class MeetingMovedV1(MeetingScheduledV1):
    previous_starts_at = fields.AwareDateTime(required=True)
    previous_ends_at = fields.AwareDateTime(required=True)
    previous_table = fields.String(required=True)


# --- consumed: our copies, only the fields we use ----------------------------------------------

class _Tolerant(Schema):
    class Meta:
        unknown = EXCLUDE


class _Delegate(_Tolerant):
    delegate_id = fields.UUID(required=True)
    full_name = fields.String(required=True)
    email = fields.Email(required=True)
    designation = fields.String(required=True)


class _Organisation(_Tolerant):
    legal_name = fields.String(required=True)
    type = fields.String(required=True)


class _Registration(_Tolerant):
    registration_id = fields.UUID(required=True)
    edition_id = fields.UUID(required=True)
    reference = fields.String(required=True)
    organisation = fields.Nested(_Organisation, required=True)
    delegates = fields.List(fields.Nested(_Delegate), required=True)


class RegistrationSubmitted(_Registration):
    sectors = fields.List(fields.String(), required=True)
    capabilities = fields.String(required=True)
    products = fields.String(required=True)
    meeting_interests = fields.List(fields.String(), required=True)


class RegistrationUpdated(_Registration):
    status = fields.String(required=True)
    sectors = fields.List(fields.String(), required=True)
    capabilities = fields.String(required=True)
    products = fields.String(required=True)


class Officer(_Tolerant):
    officer_id = fields.UUID(required=True)
    edition_id = fields.UUID(required=True)
    name = fields.String(required=True)
    rank = fields.String(required=True)
    organisation = fields.String(required=True)
    appointment = fields.String(required=True)
    email = fields.Email(required=True)
    sectors = fields.List(fields.String(), required=True)
    requirements = fields.String(required=True)


class EditionSaved(_Tolerant):
    edition_id = fields.UUID(required=True)
    slug = fields.String(required=True)
    name = fields.String(required=True)
    venue = fields.String(required=True)
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True)
    time_zone = fields.String(required=True)


class OfficerRemoved(_Tolerant):
    officer_id = fields.UUID(required=True)


class PersonalDataErased(_Tolerant):
    person_id = fields.UUID(required=True)
    kind = fields.String(required=True)


class SponsorshipConfirmed(_Tolerant):
    edition_id = fields.UUID(required=True)
    registration_id = fields.UUID(required=True)
    order_id = fields.UUID(required=True)
    tier_id = fields.UUID(required=True)
    tier_name = fields.String(required=True)
    matchmaking_priority = fields.Integer(required=True, validate=validate.Range(min=0))
    confirmed_at = fields.AwareDateTime(required=True)


class SponsorshipWithdrawn(_Tolerant):
    edition_id = fields.UUID(required=True)
    registration_id = fields.UUID(required=True)
    order_id = fields.UUID(required=True)
    tier_id = fields.UUID(required=True)
    withdrawn_at = fields.AwareDateTime(required=True)
    reason = fields.String(required=True)


def contracts() -> ContractRegistry:
    registry = ContractRegistry(SOURCE)
    registry.register(MEETING_REQUESTED, MeetingRequestedV1)
    registry.register(MEETING_ACCEPTED, MeetingAnsweredV1)
    registry.register(MEETING_DECLINED, MeetingDeclinedV1)
    registry.register(MEETING_EXPIRED, MeetingExpiredV1)
    registry.register(MEETING_CANCELLED, MeetingCancelledV1)
    registry.register(MEETING_SCHEDULED, MeetingScheduledV1)
    registry.register(MEETING_MOVED, MeetingMovedV1)
    registry.register(EDITION_SAVED, EditionSaved)
    registry.register(REGISTRATION_SUBMITTED, RegistrationSubmitted)
    for decided in (REGISTRATION_APPROVED, REGISTRATION_REJECTED, REGISTRATION_WAITLISTED,
                    REGISTRATION_CHANGES_REQUESTED, REGISTRATION_CANCELLED, DELEGATE_ADDED, DELEGATE_REMOVED):
        registry.register(decided, _Registration)
    registry.register(REGISTRATION_UPDATED, RegistrationUpdated)
    registry.register(OFFICER_ADDED, Officer)
    registry.register(OFFICER_UPDATED, Officer)
    registry.register(OFFICER_REMOVED, OfficerRemoved)
    registry.register(PERSONAL_DATA_ERASED, PersonalDataErased)
    registry.register(SPONSORSHIP_CONFIRMED, SponsorshipConfirmed)
    registry.register(SPONSORSHIP_WITHDRAWN, SponsorshipWithdrawn)
    register_access_revoked(registry)
    return registry

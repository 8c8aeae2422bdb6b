"""Notification's own copies of the events it consumes (only the fields it uses), and the one
contract it publishes: an email given up on, on its dead-letter topic.

Unknown fields are ignored, so a producer may add fields to a v1 event without breaking us.
"""
from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from shared.events import ContractRegistry
from shared.revocation import IDENTITY_EVENTS_TOPIC as IDENTITY_TOPIC
from shared.revocation import register_contract as register_access_revoked

SOURCE = "dpd/notification"
REGISTRATION_EVENTS_TOPIC = "registration.events"
IDENTITY_EVENTS_TOPIC = IDENTITY_TOPIC
MATCHMAKING_EVENTS_TOPIC = "matchmaking.events"
BILLING_EVENTS_TOPIC = "billing.events"
CONSUMED_TOPICS = [REGISTRATION_EVENTS_TOPIC, IDENTITY_EVENTS_TOPIC, MATCHMAKING_EVENTS_TOPIC, BILLING_EVENTS_TOPIC]
# Where an email goes when it cannot be delivered: given up after bounded attempts, or refused for good.
EMAILS_DEAD_LETTER_TOPIC = "notification.emails.dead-letter"

REGISTRATION_SUBMITTED = "registration.submitted.v1"
REGISTRATION_APPROVED = "registration.approved.v1"
REGISTRATION_REJECTED = "registration.rejected.v1"
REGISTRATION_WAITLISTED = "registration.waitlisted.v1"
REGISTRATION_CHANGES_REQUESTED = "registration.changes_requested.v1"
REGISTRATION_CANCELLED = "registration.cancelled.v1"
REGISTRATION_UPDATED = "registration.updated.v1"
DELEGATE_ADDED = "registration.delegate_added.v1"
DELEGATE_REMOVED = "registration.delegate_removed.v1"
EDITION_SAVED = "registration.edition_saved.v1"
OFFICER_ADDED = "registration.officer_added.v1"
OFFICER_UPDATED = "registration.officer_updated.v1"
OFFICER_REMOVED = "registration.officer_removed.v1"
PERSONAL_DATA_ERASED = "registration.personal_data_erased.v1"
EMAIL_VERIFICATION_REQUESTED = "identity.email_verification_requested.v1"
ACCESS_LINK_ISSUED = "identity.access_link_issued.v1"
BADGE_ISSUED = "identity.badge_issued.v1"

MEETING_REQUESTED = "matchmaking.meeting_requested.v1"
MEETING_ACCEPTED = "matchmaking.meeting_accepted.v1"
MEETING_DECLINED = "matchmaking.meeting_declined.v1"
MEETING_EXPIRED = "matchmaking.meeting_expired.v1"
MEETING_CANCELLED = "matchmaking.meeting_cancelled.v1"
MEETING_SCHEDULED = "matchmaking.meeting_scheduled.v1"
MEETING_MOVED = "matchmaking.meeting_moved.v1"

ORDER_PLACED = "billing.order_placed.v1"
HOLD_EXPIRING = "billing.hold_expiring.v1"
PROFORMA_ISSUED = "billing.proforma_issued.v1"
ORDER_PAID = "billing.order_paid.v1"
INVOICE_ISSUED = "billing.invoice_issued.v1"
CREDIT_NOTE_ISSUED = "billing.credit_note_issued.v1"
SPONSORSHIP_CONFIRMED = "billing.sponsorship_confirmed.v1"
SPONSORSHIP_WITHDRAWN = "billing.sponsorship_withdrawn.v1"
BOOTH_ALLOCATED = "billing.booth_allocated.v1"
BOOTH_RELEASED = "billing.booth_released.v1"

EMAIL_DEAD_LETTERED = "notification.email_dead_lettered.v1"


class _Tolerant(Schema):
    class Meta:
        unknown = EXCLUDE


# --- registration and identity ------------------------------------------------------------------

class _Person(_Tolerant):
    delegate_id = fields.UUID(required=True)
    full_name = fields.String(required=True)
    email = fields.Email(required=True)
    designation = fields.String(load_default=None)
    language = fields.String(load_default=None)  # no producer sends one yet: English until one does


class _Organisation(_Tolerant):
    legal_name = fields.String(required=True)
    type = fields.String(load_default=None)


class _Registration(_Tolerant):
    registration_id = fields.UUID(required=True)
    edition_id = fields.UUID(required=True)
    reference = fields.String(required=True)
    organisation = fields.Nested(_Organisation, required=True)
    contact = fields.Nested(_Person, required=True)
    delegates = fields.List(fields.Nested(_Person), required=True, validate=validate.Length(min=1))


class RegistrationSubmitted(_Registration):
    submitted_at = fields.AwareDateTime(required=True)


class RegistrationApproved(_Registration):
    access_url = fields.Url(required=True, require_tld=False)


class RegistrationDecidedWithMessage(_Registration):
    message = fields.String(required=True)
    access_url = fields.Url(required=True, require_tld=False)


class RegistrationCancelled(_Registration):
    was_approved = fields.Boolean(required=True)


class RegistrationUpdated(_Registration):
    status = fields.String(required=True)


class EditionSaved(_Tolerant):
    edition_id = fields.UUID(required=True)
    name = fields.String(required=True)
    starts_on = fields.Date(required=True)


class Officer(_Tolerant):
    officer_id = fields.UUID(required=True)
    edition_id = fields.UUID(required=True)
    name = fields.String(required=True)
    appointment = fields.String(required=True)
    email = fields.Email(required=True)


class OfficerRemoved(_Tolerant):
    officer_id = fields.UUID(required=True)


class EmailVerificationRequested(_Tolerant):
    registration_id = fields.UUID(required=True)
    reference = fields.String(required=True)
    organisation_name = fields.String(required=True)
    email = fields.Email(required=True)
    full_name = fields.String(required=True)
    registered_by = fields.String(load_default=None, allow_none=True)
    url = fields.Url(required=True, require_tld=False)
    expires_at = fields.AwareDateTime(required=True)


class AccessLinkIssued(_Tolerant):
    person_id = fields.UUID(required=True)  # a delegate's or an officer's id
    email = fields.Email(required=True)
    full_name = fields.String(required=True)
    url = fields.Url(required=True, require_tld=False)
    expires_at = fields.AwareDateTime(required=True)


class BadgeIssued(_Tolerant):
    person_id = fields.UUID(required=True)
    email = fields.Email(required=True)
    full_name = fields.String(required=True)
    role_label = fields.String(required=True)
    png_url = fields.Url(required=True, require_tld=False)
    pdf_url = fields.Url(required=True, require_tld=False)


class PersonalDataErased(_Tolerant):
    person_id = fields.UUID(required=True)


# --- matchmaking --------------------------------------------------------------------------------

class _MeetingPerson(_Tolerant):
    name = fields.String(required=True)
    email = fields.Email(required=True)


class _Party(_Tolerant):
    kind = fields.String(required=True)
    name = fields.String(required=True)
    detail = fields.String(required=True)
    people = fields.List(fields.Nested(_MeetingPerson), required=True)


class Meeting(_Tolerant):
    meeting_id = fields.UUID(required=True)  # stable: the calendar invite's UID is built from it
    edition_id = fields.UUID(required=True)
    kind = fields.String(required=True)
    requester = fields.Nested(_Party, required=True)
    receiver = fields.Nested(_Party, required=True)
    agenda = fields.String(required=True)
    time_zone = fields.String(required=True)
    sequence = fields.Integer(required=True, validate=validate.Range(min=0))
    starts_at = fields.AwareDateTime(required=True, allow_none=True)
    ends_at = fields.AwareDateTime(required=True, allow_none=True)
    table = fields.String(required=True, allow_none=True)


class MeetingRequested(Meeting):
    requested_by = fields.String(required=True)
    respond_by = fields.AwareDateTime(required=True)


class MeetingDeclined(Meeting):
    reason = fields.String(required=True, allow_none=True)


class MeetingExpired(Meeting):
    expired_at = fields.AwareDateTime(required=True)


class MeetingCancelled(Meeting):
    cancelled_by = fields.String(required=True)
    reason = fields.String(required=True, allow_none=True)


class MeetingScheduled(Meeting):
    starts_at = fields.AwareDateTime(required=True)
    ends_at = fields.AwareDateTime(required=True)
    table = fields.String(required=True)


class MeetingMoved(MeetingScheduled):
    previous_starts_at = fields.AwareDateTime(required=True)
    previous_ends_at = fields.AwareDateTime(required=True)
    previous_table = fields.String(required=True)


# --- billing ------------------------------------------------------------------------------------

class _Buyer(_Tolerant):
    legal_name = fields.String(required=True)
    contact_name = fields.String(required=True, allow_none=True)  # None once the contact's data is erased
    contact_email = fields.Email(required=True, allow_none=True)


class _Line(_Tolerant):
    description = fields.String(required=True)
    quantity = fields.Integer(required=True)
    payable_paise = fields.Integer(required=True)


class Order(_Tolerant):
    order_id = fields.UUID(required=True)
    order_number = fields.String(required=True)
    registration_id = fields.UUID(required=True)
    buyer = fields.Nested(_Buyer, required=True)
    lines = fields.List(fields.Nested(_Line), required=True)
    taxable_paise = fields.Integer(required=True)
    tax_paise = fields.Integer(required=True)
    payable_paise = fields.Integer(required=True)
    payment_method = fields.String(required=True)
    order_url = fields.Url(required=True, require_tld=False)


class OrderPlaced(Order):
    hold_expires_at = fields.AwareDateTime(required=True)


class HoldExpiring(Order):
    hold_expires_at = fields.AwareDateTime(required=True)


class _Document(Order):
    document_number = fields.String(required=True)
    download_url = fields.Url(required=True, require_tld=False)
    download_expires_at = fields.AwareDateTime(required=True)


class ProformaIssued(_Document):
    pay_by = fields.AwareDateTime(required=True)
    bank_details = fields.String(required=True)


class OrderPaid(Order):
    paid_at = fields.AwareDateTime(required=True)
    amount_paise = fields.Integer(required=True)
    payment_reference = fields.String(required=True)


class CreditNoteIssued(_Document):
    invoice_number = fields.String(required=True)
    refunded_paise = fields.Integer(required=True)


class SponsorshipChanged(_Tolerant):
    registration_id = fields.UUID(required=True)
    order_id = fields.UUID(required=True)
    tier_id = fields.UUID(required=True)


class BoothChanged(_Tolerant):
    registration_id = fields.UUID(required=True)
    order_id = fields.UUID(required=True)
    booth_id = fields.UUID(required=True)


# --- published ----------------------------------------------------------------------------------

class EmailDeadLetteredV1(Schema):
    """An email notification gave up on: refused for good by the server, or still failing after
    the bounded attempts. Operators read the topic to repair addresses or replay."""

    email_id = fields.UUID(required=True)
    event_id = fields.String(required=True)  # what caused it: an event id, "digest:...", "announcement:..."
    event_type = fields.String(required=True)
    template = fields.String(required=True)
    channel = fields.String(required=True)
    recipient = fields.String(required=True, validate=validate.Length(min=1, max=254))  # the address as tried
    attempts = fields.Integer(required=True, validate=validate.Range(min=1))
    error = fields.String(required=True)
    permanent = fields.Boolean(required=True)  # refused for good (5xx), rather than attempts exhausted
    failed_at = fields.AwareDateTime(required=True)


def contracts() -> ContractRegistry:
    registry = ContractRegistry(SOURCE)
    registry.register(REGISTRATION_SUBMITTED, RegistrationSubmitted)
    registry.register(REGISTRATION_APPROVED, RegistrationApproved)
    registry.register(REGISTRATION_REJECTED, RegistrationDecidedWithMessage)
    registry.register(REGISTRATION_CHANGES_REQUESTED, RegistrationDecidedWithMessage)
    for snapshot_only in (REGISTRATION_WAITLISTED, DELEGATE_ADDED, DELEGATE_REMOVED):
        registry.register(snapshot_only, _Registration)
    registry.register(REGISTRATION_CANCELLED, RegistrationCancelled)
    registry.register(REGISTRATION_UPDATED, RegistrationUpdated)
    registry.register(EDITION_SAVED, EditionSaved)
    registry.register(OFFICER_ADDED, Officer)
    registry.register(OFFICER_UPDATED, Officer)
    registry.register(OFFICER_REMOVED, OfficerRemoved)
    registry.register(EMAIL_VERIFICATION_REQUESTED, EmailVerificationRequested)
    registry.register(ACCESS_LINK_ISSUED, AccessLinkIssued)
    registry.register(PERSONAL_DATA_ERASED, PersonalDataErased)
    registry.register(BADGE_ISSUED, BadgeIssued)
    registry.register(MEETING_REQUESTED, MeetingRequested)
    registry.register(MEETING_ACCEPTED, Meeting)
    registry.register(MEETING_DECLINED, MeetingDeclined)
    registry.register(MEETING_EXPIRED, MeetingExpired)
    registry.register(MEETING_CANCELLED, MeetingCancelled)
    registry.register(MEETING_SCHEDULED, MeetingScheduled)
    registry.register(MEETING_MOVED, MeetingMoved)
    registry.register(ORDER_PLACED, OrderPlaced)
    registry.register(HOLD_EXPIRING, HoldExpiring)
    registry.register(PROFORMA_ISSUED, ProformaIssued)
    registry.register(ORDER_PAID, OrderPaid)
    registry.register(INVOICE_ISSUED, _Document)
    registry.register(CREDIT_NOTE_ISSUED, CreditNoteIssued)
    registry.register(SPONSORSHIP_CONFIRMED, SponsorshipChanged)
    registry.register(SPONSORSHIP_WITHDRAWN, SponsorshipChanged)
    registry.register(BOOTH_ALLOCATED, BoothChanged)
    registry.register(BOOTH_RELEASED, BoothChanged)
    registry.register(EMAIL_DEAD_LETTERED, EmailDeadLetteredV1)
    register_access_revoked(registry)
    return registry

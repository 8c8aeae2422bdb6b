"""Notification's own copies of the events it consumes (only the fields it uses).

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
REGISTRATION_SUBMITTED = "registration.submitted.v1"
REGISTRATION_APPROVED = "registration.approved.v1"
REGISTRATION_REJECTED = "registration.rejected.v1"
REGISTRATION_WAITLISTED = "registration.waitlisted.v1"
REGISTRATION_CHANGES_REQUESTED = "registration.changes_requested.v1"
REGISTRATION_CANCELLED = "registration.cancelled.v1"
EMAIL_VERIFICATION_REQUESTED = "identity.email_verification_requested.v1"
ACCESS_LINK_ISSUED = "identity.access_link_issued.v1"
PERSONAL_DATA_ERASED = "registration.personal_data_erased.v1"
BADGE_ISSUED = "identity.badge_issued.v1"


class _Tolerant(Schema):
    class Meta:
        unknown = EXCLUDE


class _Person(_Tolerant):
    delegate_id = fields.UUID(required=True)
    full_name = fields.String(required=True)
    email = fields.Email(required=True)


class _Organisation(_Tolerant):
    legal_name = fields.String(required=True)


class _Registration(_Tolerant):
    registration_id = fields.UUID(required=True)
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


def contracts() -> ContractRegistry:
    registry = ContractRegistry(SOURCE)
    registry.register(REGISTRATION_SUBMITTED, RegistrationSubmitted)
    registry.register(REGISTRATION_APPROVED, RegistrationApproved)
    registry.register(REGISTRATION_REJECTED, RegistrationDecidedWithMessage)
    registry.register(REGISTRATION_CHANGES_REQUESTED, RegistrationDecidedWithMessage)
    registry.register(REGISTRATION_WAITLISTED, _Registration)
    registry.register(REGISTRATION_CANCELLED, RegistrationCancelled)
    registry.register(EMAIL_VERIFICATION_REQUESTED, EmailVerificationRequested)
    registry.register(ACCESS_LINK_ISSUED, AccessLinkIssued)
    registry.register(PERSONAL_DATA_ERASED, PersonalDataErased)
    registry.register(BADGE_ISSUED, BadgeIssued)
    register_access_revoked(registry)
    return registry

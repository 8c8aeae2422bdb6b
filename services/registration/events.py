"""The integration events registration publishes: its own copy of each contract, versioned.

Every event about a registration carries the same snapshot (who the organisation is, its
contact and delegates, its edition), so consumers never call back into this service.
Consumers keep their own copies of the contracts they use.
"""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from shared.events import ContractRegistry
from shared.revocation import IDENTITY_EVENTS_TOPIC
from shared.revocation import register_contract as register_access_revoked

SOURCE = "dpd/registration"
EVENTS_TOPIC = "registration.events"
IDENTITY_TOPIC = IDENTITY_EVENTS_TOPIC  # sign-in matters: revocations, access and verification links

REGISTRATION_SUBMITTED = "registration.submitted.v1"  # verified by email: now with the organisers
REGISTRATION_APPROVED = "registration.approved.v1"
REGISTRATION_REJECTED = "registration.rejected.v1"
REGISTRATION_WAITLISTED = "registration.waitlisted.v1"
REGISTRATION_CHANGES_REQUESTED = "registration.changes_requested.v1"
REGISTRATION_CANCELLED = "registration.cancelled.v1"
REGISTRATION_UPDATED = "registration.updated.v1"
DELEGATE_ADDED = "registration.delegate_added.v1"
DELEGATE_REMOVED = "registration.delegate_removed.v1"
PERSONAL_DATA_ERASED = "registration.personal_data_erased.v1"
PERSON_CHECKED_IN = "registration.person_checked_in.v1"
EDITION_SAVED = "registration.edition_saved.v1"  # created or edited: what other services show of it
OFFICER_ADDED = "registration.officer_added.v1"
OFFICER_UPDATED = "registration.officer_updated.v1"
OFFICER_REMOVED = "registration.officer_removed.v1"
EMAIL_VERIFICATION_REQUESTED = "identity.email_verification_requested.v1"
ACCESS_LINK_ISSUED = "identity.access_link_issued.v1"
BADGE_ISSUED = "identity.badge_issued.v1"


class _PersonV1(Schema):
    delegate_id = fields.UUID(required=True)
    full_name = fields.String(required=True)
    email = fields.Email(required=True)
    designation = fields.String(required=True)
    nationality = fields.String(required=True, validate=validate.Length(equal=2))


class _OrganisationV1(Schema):
    legal_name = fields.String(required=True)
    type = fields.String(required=True)
    country = fields.String(required=True, validate=validate.Length(equal=2))
    state = fields.String(required=True, allow_none=True)
    gstin = fields.String(required=True, allow_none=True)
    address = fields.String(required=True)
    city = fields.String(required=True)
    postal_code = fields.String(required=True)


class _RegistrationSnapshotV1(Schema):
    registration_id = fields.UUID(required=True)
    edition_id = fields.UUID(required=True)
    reference = fields.String(required=True)
    organisation = fields.Nested(_OrganisationV1, required=True)
    contact = fields.Nested(_PersonV1, required=True)
    delegates = fields.List(fields.Nested(_PersonV1), required=True, validate=validate.Length(min=1))


class _ProfileV1(Schema):
    """What the organisation offers and seeks (see repository.profile)."""

    sectors = fields.List(fields.String(), required=True)
    capabilities = fields.String(required=True)
    products = fields.String(required=True)
    meeting_interests = fields.List(fields.String(), required=True)
    participation_interests = fields.List(fields.String(), required=True)


class RegistrationSubmittedV1(_RegistrationSnapshotV1, _ProfileV1):
    submitted_at = fields.AwareDateTime(required=True)


class RegistrationApprovedV1(_RegistrationSnapshotV1, _ProfileV1):
    approved_at = fields.AwareDateTime(required=True)
    access_url = fields.Url(required=True, require_tld=False)  # where delegates ask for their sign-in link


class RegistrationDecidedWithMessageV1(_RegistrationSnapshotV1):
    """Rejected (the message is the reason) or sent back for changes (what should change)."""

    decided_at = fields.AwareDateTime(required=True)
    message = fields.String(required=True)
    access_url = fields.Url(required=True, require_tld=False)


class RegistrationWaitlistedV1(_RegistrationSnapshotV1):
    decided_at = fields.AwareDateTime(required=True)


class RegistrationCancelledV1(_RegistrationSnapshotV1):
    cancelled_at = fields.AwareDateTime(required=True)
    was_approved = fields.Boolean(required=True)


class RegistrationUpdatedV1(_RegistrationSnapshotV1, _ProfileV1):
    """The registrant changed their details; `status` says whether it went back to vetting."""

    status = fields.String(required=True)
    changed = fields.List(fields.String(), required=True)


class DelegateChangedV1(_RegistrationSnapshotV1):
    """A delegate joined or left a delegation; the snapshot shows the delegation afterwards."""

    delegate = fields.Nested(_PersonV1, required=True)


class OfficerV1(Schema):
    """An officer on an edition's roster, as matchmaking and notification need them."""

    officer_id = fields.UUID(required=True)
    edition_id = fields.UUID(required=True)
    name = fields.String(required=True)
    rank = fields.String(required=True)
    organisation = fields.String(required=True)
    appointment = fields.String(required=True)
    email = fields.Email(required=True)
    sectors = fields.List(fields.String(), required=True)
    requirements = fields.String(required=True)


class PersonCheckedInV1(Schema):
    """A delegate or officer arrived at the venue (their badge's first scan)."""

    person_id = fields.UUID(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(["delegate", "officer"]))
    edition_id = fields.UUID(required=True)
    checked_in_at = fields.AwareDateTime(required=True)


class PersonalDataErasedV1(Schema):
    """Forget this person: delete or scrub everything that identifies them."""

    person_id = fields.UUID(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(["delegate", "officer"]))
    registration_id = fields.UUID(required=True, allow_none=True)


class OfficerRemovedV1(Schema):
    officer_id = fields.UUID(required=True)
    edition_id = fields.UUID(required=True)


class EmailVerificationRequestedV1(Schema):
    """Carries a single-use secret: the topic is internal, the link expires and works once."""

    registration_id = fields.UUID(required=True)
    reference = fields.String(required=True)
    organisation_name = fields.String(required=True)
    email = fields.Email(required=True)
    full_name = fields.String(required=True)
    registered_by = fields.String(load_default=None, allow_none=True)  # who named this delegate, if not themselves
    url = fields.Url(required=True, require_tld=False)
    expires_at = fields.AwareDateTime(required=True)


class AccessLinkIssuedV1(Schema):
    """Carries a single-use secret: the topic is internal, the link expires and works once."""

    person_id = fields.UUID(required=True)  # a delegate's or an officer's id
    email = fields.Email(required=True)
    full_name = fields.String(required=True)
    url = fields.Url(required=True, require_tld=False)
    expires_at = fields.AwareDateTime(required=True)


class BadgeIssuedV1(Schema):
    """The download links carry the badge's code, which is what admits its holder: internal topic only."""

    person_id = fields.UUID(required=True)
    email = fields.Email(required=True)
    full_name = fields.String(required=True)
    role_label = fields.String(required=True)
    png_url = fields.Url(required=True, require_tld=False)
    pdf_url = fields.Url(required=True, require_tld=False)


class EditionSavedV1(Schema):
    edition_id = fields.UUID(required=True)
    slug = fields.String(required=True)
    name = fields.String(required=True)
    venue = fields.String(required=True)
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True)
    time_zone = fields.String(required=True)
    registration_opens_at = fields.AwareDateTime(required=True)
    registration_closes_at = fields.AwareDateTime(required=True)


def contracts() -> ContractRegistry:
    registry = ContractRegistry(SOURCE)
    registry.register(REGISTRATION_SUBMITTED, RegistrationSubmittedV1)
    registry.register(REGISTRATION_APPROVED, RegistrationApprovedV1)
    registry.register(REGISTRATION_REJECTED, RegistrationDecidedWithMessageV1)
    registry.register(REGISTRATION_CHANGES_REQUESTED, RegistrationDecidedWithMessageV1)
    registry.register(REGISTRATION_WAITLISTED, RegistrationWaitlistedV1)
    registry.register(REGISTRATION_CANCELLED, RegistrationCancelledV1)
    registry.register(REGISTRATION_UPDATED, RegistrationUpdatedV1)
    registry.register(DELEGATE_ADDED, DelegateChangedV1)
    registry.register(DELEGATE_REMOVED, DelegateChangedV1)
    registry.register(EDITION_SAVED, EditionSavedV1)
    registry.register(OFFICER_ADDED, OfficerV1)
    registry.register(OFFICER_UPDATED, OfficerV1)
    registry.register(OFFICER_REMOVED, OfficerRemovedV1)
    registry.register(PERSONAL_DATA_ERASED, PersonalDataErasedV1)
    registry.register(PERSON_CHECKED_IN, PersonCheckedInV1)
    registry.register(EMAIL_VERIFICATION_REQUESTED, EmailVerificationRequestedV1)
    registry.register(ACCESS_LINK_ISSUED, AccessLinkIssuedV1)
    registry.register(BADGE_ISSUED, BadgeIssuedV1)
    register_access_revoked(registry)
    return registry

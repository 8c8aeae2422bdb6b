"""The integration events registration publishes: its own copy of each contract, versioned.

Consumers keep their own copies; a contract test checks that what we publish satisfies them.
"""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from shared.events import ContractRegistry
from shared.revocation import IDENTITY_EVENTS_TOPIC, register_contract as register_access_revoked

SOURCE = "dpd/registration"
EVENTS_TOPIC = "registration.events"
IDENTITY_TOPIC = IDENTITY_EVENTS_TOPIC  # sign-in matters: revocations, access links

REGISTRATION_SUBMITTED = "registration.submitted.v1"
REGISTRATION_APPROVED = "registration.approved.v1"
ACCESS_LINK_ISSUED = "identity.access_link_issued.v1"


class _PersonV1(Schema):
    delegate_id = fields.UUID(required=True)
    full_name = fields.String(required=True)
    email = fields.Email(required=True)
    designation = fields.String(required=True)


class _OrganisationV1(Schema):
    legal_name = fields.String(required=True)
    type = fields.String(required=True)
    country = fields.String(required=True, validate=validate.Length(equal=2))
    state = fields.String(required=True, allow_none=True)
    gstin = fields.String(required=True, allow_none=True)


class RegistrationSubmittedV1(Schema):
    registration_id = fields.UUID(required=True)
    reference = fields.String(required=True)
    submitted_at = fields.AwareDateTime(required=True)
    organisation = fields.Nested(_OrganisationV1, required=True)
    contact = fields.Nested(_PersonV1, required=True)
    delegates = fields.List(fields.Nested(_PersonV1), required=True, validate=validate.Length(min=1))
    sectors = fields.List(fields.String(), required=True)
    meeting_interests = fields.List(fields.String(), required=True)
    participation_interests = fields.List(fields.String(), required=True)


class RegistrationApprovedV1(Schema):
    registration_id = fields.UUID(required=True)
    reference = fields.String(required=True)
    approved_at = fields.AwareDateTime(required=True)
    access_url = fields.Url(required=True, require_tld=False)  # where delegates ask for their sign-in link
    organisation = fields.Nested(_OrganisationV1, required=True)
    contact = fields.Nested(_PersonV1, required=True)
    delegates = fields.List(fields.Nested(_PersonV1), required=True, validate=validate.Length(min=1))


class AccessLinkIssuedV1(Schema):
    """Carries a single-use secret: the topic is internal, the link expires and works once."""

    delegate_id = fields.UUID(required=True)
    email = fields.Email(required=True)
    full_name = fields.String(required=True)
    url = fields.Url(required=True, require_tld=False)
    expires_at = fields.AwareDateTime(required=True)


def contracts() -> ContractRegistry:
    registry = ContractRegistry(SOURCE)
    registry.register(REGISTRATION_SUBMITTED, RegistrationSubmittedV1)
    registry.register(REGISTRATION_APPROVED, RegistrationApprovedV1)
    registry.register(ACCESS_LINK_ISSUED, AccessLinkIssuedV1)
    register_access_revoked(registry)
    return registry

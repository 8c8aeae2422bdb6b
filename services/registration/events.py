"""The integration events registration publishes: its own copy of each contract, versioned.

Consumers keep their own copies; a contract test checks that what we publish satisfies them.
"""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from shared.events import ContractRegistry

SOURCE = "dpd/registration"
EVENTS_TOPIC = "registration.events"

REGISTRATION_SUBMITTED = "registration.submitted.v1"


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


def contracts() -> ContractRegistry:
    registry = ContractRegistry(SOURCE)
    registry.register(REGISTRATION_SUBMITTED, RegistrationSubmittedV1)
    return registry

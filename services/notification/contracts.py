"""Notification's own copies of the events it consumes (only the fields it uses).

Unknown fields are ignored, so a producer may add fields to a v1 event without breaking us.
"""
from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from shared.events import ContractRegistry

SOURCE = "dpd/notification"
REGISTRATION_EVENTS_TOPIC = "registration.events"
REGISTRATION_SUBMITTED = "registration.submitted.v1"


class _Tolerant(Schema):
    class Meta:
        unknown = EXCLUDE


class _Person(_Tolerant):
    delegate_id = fields.UUID(required=True)
    full_name = fields.String(required=True)
    email = fields.Email(required=True)


class _Organisation(_Tolerant):
    legal_name = fields.String(required=True)


class RegistrationSubmitted(_Tolerant):
    registration_id = fields.UUID(required=True)
    reference = fields.String(required=True)
    submitted_at = fields.AwareDateTime(required=True)
    organisation = fields.Nested(_Organisation, required=True)
    contact = fields.Nested(_Person, required=True)
    delegates = fields.List(fields.Nested(_Person), required=True, validate=validate.Length(min=1))


def contracts() -> ContractRegistry:
    registry = ContractRegistry(SOURCE)
    registry.register(REGISTRATION_SUBMITTED, RegistrationSubmitted)
    return registry

"""Billing's own copies of the events it consumes (only the fields it uses).

From registration: the editions, who is approved to buy, and what an invoice says about them. Unknown
fields are ignored, so a producer may add fields to a v1 event without breaking billing.
"""
from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from shared.events import ContractRegistry
from shared.revocation import register_contract as register_access_revoked

SOURCE = "dpd/billing"
REGISTRATION_EVENTS_TOPIC = "registration.events"
REGISTRATION_APPROVED = "registration.approved.v1"
REGISTRATION_UPDATED = "registration.updated.v1"
REGISTRATION_CANCELLED = "registration.cancelled.v1"
PERSONAL_DATA_ERASED = "registration.personal_data_erased.v1"
EDITION_SAVED = "registration.edition_saved.v1"


class _Tolerant(Schema):
    class Meta:
        unknown = EXCLUDE


class _Organisation(_Tolerant):
    legal_name = fields.String(required=True)
    type = fields.String(required=True)
    country = fields.String(required=True, validate=validate.Length(equal=2))
    state = fields.String(required=True, allow_none=True)
    gstin = fields.String(required=True, allow_none=True)
    address = fields.String(required=True)
    city = fields.String(required=True)
    postal_code = fields.String(required=True)


class _Contact(_Tolerant):
    delegate_id = fields.UUID(required=True)
    full_name = fields.String(required=True)
    email = fields.Email(required=True)


class RegistrationSnapshot(_Tolerant):
    registration_id = fields.UUID(required=True)
    edition_id = fields.UUID(required=True)
    reference = fields.String(required=True)
    organisation = fields.Nested(_Organisation, required=True)
    contact = fields.Nested(_Contact, required=True)


class RegistrationUpdated(RegistrationSnapshot):
    status = fields.String(required=True)  # "approved", or where a material change sent it back to


class PersonalDataErased(_Tolerant):
    person_id = fields.UUID(required=True)


class EditionSaved(_Tolerant):
    edition_id = fields.UUID(required=True)
    name = fields.String(required=True)


def consumed() -> ContractRegistry:
    registry = ContractRegistry(SOURCE)
    registry.register(REGISTRATION_APPROVED, RegistrationSnapshot)
    registry.register(REGISTRATION_UPDATED, RegistrationUpdated)
    registry.register(REGISTRATION_CANCELLED, RegistrationSnapshot)
    registry.register(PERSONAL_DATA_ERASED, PersonalDataErased)
    registry.register(EDITION_SAVED, EditionSaved)
    register_access_revoked(registry)
    return registry

"""The shapes registration accepts and returns over HTTP."""
from __future__ import annotations

import phonenumbers
from marshmallow import INCLUDE, Schema, ValidationError, fields, post_load, validate

from services.registration.domain import model
from services.registration.domain.contact import normalise_email, normalise_phone
from services.registration.domain.editions import CategoryRule, Edition
from services.registration.domain.errors import InvalidInput
from services.registration.domain.identifiers import (
    validate_dpiit_recognition_number, validate_gstin, validate_udyam_number)
from services.registration.domain.india import state_by_key
from services.registration.domain.vetting import Decision
from shared.errors import InvalidFields
from shared.schema_fields import Text

COUNTRY_CODES = frozenset(phonenumbers.SUPPORTED_REGIONS)


def _domain_rule(rule):
    """A marshmallow validator from a domain rule that raises its own error type."""
    def check(value):
        try:
            rule(value)
        except InvalidInput as error:
            raise ValidationError(str(error)) from None
    return check


class _Canonical(fields.String):
    """A string loaded as the canonical form its domain rule returns (the rule raises its own
    error type on a bad value), so each value is checked and normalised once, not twice."""

    def __init__(self, canonical, *, max_length: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self._canonical = canonical
        self._length = validate.Length(max=max_length) if max_length else None

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if self._length:
            self._length(text)  # before the rule: it never parses an oversized value
        try:
            return self._canonical(text)
        except InvalidInput as error:
            raise ValidationError(str(error)) from None


def _gstin_value(raw: str) -> str:
    return validate_gstin(raw).value


def _country(value: str) -> None:
    if value not in COUNTRY_CODES:
        raise ValidationError("Must be a two-letter ISO 3166 country code, e.g. IN.")


def _one_of(choices) -> validate.OneOf:
    return validate.OneOf([c.value for c in choices] if hasattr(choices, "__members__") else list(choices),
                          error="Must be one of: {choices}.")


class OrganisationIn(Schema):
    legal_name = Text(required=True, min_length=2, max_length=200)
    type = fields.String(required=True, validate=_one_of(model.OrganisationType))
    country = fields.String(load_default="IN", validate=_country)
    state = fields.String(load_default=None, allow_none=True, validate=_domain_rule(state_by_key))
    gstin = _Canonical(_gstin_value, load_default=None, allow_none=True)
    address = Text(required=True, max_length=500, multiline=True)
    city = Text(required=True, max_length=100)
    postal_code = Text(required=True, max_length=12, validate=validate.Regexp(
        r"^[A-Za-z0-9 -]+$", error="Letters, digits, spaces and hyphens only."))
    website = fields.URL(load_default=None, allow_none=True, schemes={"http", "https"},
                         validate=validate.Length(max=300))
    sectors = fields.List(fields.String(validate=_one_of(model.SECTORS)), required=True,
                          validate=validate.Length(min=1, max=len(model.SECTORS)))
    capabilities = Text(required=True, max_length=4000, multiline=True)
    products = Text(load_default="", max_length=4000, min_length=0, multiline=True, allow_none=True)
    udyam_number = _Canonical(validate_udyam_number, load_default=None, allow_none=True)
    dpiit_number = _Canonical(validate_dpiit_recognition_number, load_default=None, allow_none=True)

    @post_load
    def build(self, data, **_):
        return model.Organisation(
            legal_name=data["legal_name"], type=model.OrganisationType(data["type"]), country=data["country"],
            state=data["state"].strip().upper() if data["state"] else None,
            gstin=data["gstin"],
            address=data["address"], city=data["city"], postal_code=data["postal_code"].upper(),
            website=data["website"], sectors=tuple(dict.fromkeys(data["sectors"])),
            capabilities=data["capabilities"], products=data["products"] or "",
            udyam_number=data["udyam_number"], dpiit_number=data["dpiit_number"])


class IdentityDocumentIn(Schema):
    type = fields.String(required=True, validate=_one_of(model.IdentityDocumentType))
    number = fields.String(required=True, validate=validate.Length(min=4, max=40))


class DelegateIn(Schema):
    full_name = Text(required=True, min_length=2, max_length=120)
    designation = Text(required=True, max_length=120)
    email = _Canonical(normalise_email, required=True, max_length=254)
    phone = _Canonical(normalise_phone, required=True, max_length=32)
    nationality = fields.String(load_default="IN", validate=_country)
    id_document = fields.Nested(IdentityDocumentIn, required=True)

    @post_load
    def build(self, data, **_):
        try:
            document = model.IdentityDocument.of(data["id_document"]["type"], data["id_document"]["number"],
                                                 data["nationality"])
        except InvalidFields as refused:
            raise ValidationError(refused.errors) from None
        return model.Delegate(full_name=data["full_name"], designation=data["designation"],
                              email=data["email"], phone=data["phone"],
                              nationality=data["nationality"], id_document=document)


class RegistrationIn(Schema):
    edition = fields.String(required=True, validate=validate.Length(min=1, max=40))
    organisation = fields.Nested(OrganisationIn, required=True)
    delegates = fields.List(fields.Nested(DelegateIn), required=True,
                            validate=validate.Length(min=1, max=model.MAX_DELEGATES_EVER))
    meeting_interests = fields.List(fields.String(validate=_one_of(model.MeetingInterest)), load_default=list)
    participation_interests = fields.List(fields.String(validate=_one_of(model.ParticipationInterest)),
                                          load_default=lambda: [model.ParticipationInterest.DELEGATE_ONLY.value])


class SubmittedOut(Schema):
    id = fields.String(attribute="registration_id")
    reference = fields.String()
    status = fields.String()


class SignInIn(Schema):
    email = fields.String(required=True, validate=validate.Length(min=3, max=254))
    password = fields.String(required=True, validate=validate.Length(min=1, max=1000))


class AccessLinkIn(Schema):
    email = fields.String(required=True, validate=validate.Length(min=3, max=254))


class OrganiserIn(Schema):
    email = _Canonical(normalise_email, required=True, max_length=254)
    name = Text(required=True, min_length=2, max_length=120)
    roles = fields.List(fields.String(), required=True)
    password = fields.String(required=True, validate=validate.Length(max=1000))


class OrganiserUpdateIn(Schema):
    roles = fields.List(fields.String(), required=True)
    active = fields.Boolean(required=True)


class CategoryRuleIn(Schema):
    capacity = fields.Integer(load_default=None, allow_none=True, strict=True, validate=validate.Range(min=0))
    max_delegates = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=50))


class EditionIn(Schema):
    slug = fields.String(required=True, validate=validate.Regexp(
        r"^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$", error="Lower-case letters, digits and hyphens, 3 to 40 of them."))
    name = Text(required=True, min_length=3, max_length=200)
    venue = Text(required=True, min_length=3, max_length=200)
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True)
    time_zone = fields.String(load_default="Asia/Kolkata", validate=validate.Length(max=64))
    registration_opens_at = fields.AwareDateTime(required=True)
    registration_closes_at = fields.AwareDateTime(required=True)
    categories = fields.Dict(keys=fields.String(validate=_one_of(model.OrganisationType)),
                             values=fields.Nested(CategoryRuleIn), load_default=dict)

    @post_load
    def build(self, data, **_):
        return Edition(slug=data["slug"], name=data["name"], venue=data["venue"], starts_on=data["starts_on"],
                       ends_on=data["ends_on"], time_zone=data["time_zone"],
                       registration_opens_at=data["registration_opens_at"],
                       registration_closes_at=data["registration_closes_at"],
                       categories={key: CategoryRule(rule["capacity"], rule["max_delegates"])
                                   for key, rule in data["categories"].items()})


class DecisionIn(Schema):
    decision = fields.String(required=True, validate=_one_of(Decision))
    message = Text(load_default=None, allow_none=True, max_length=2000, multiline=True)


class BulkApproveIn(Schema):
    registration_ids = fields.List(fields.UUID(), required=True, validate=validate.Length(min=1, max=500))


class CheckInIn(Schema):
    code = fields.String(required=True, validate=validate.Length(min=5, max=120))


# --- what the JSON API answers: declarations for its OpenAPI document (shared/openapi.py) --------

class RegistrationStatusOut(Schema):
    id = fields.UUID(required=True)
    reference = fields.String(required=True)
    status = fields.String(required=True)


class TokenOut(Schema):
    token = fields.String(required=True)
    expires_at = fields.AwareDateTime(required=True)


class MessageOut(Schema):
    message = fields.String(required=True)


class OfficerOut(Schema):
    id = fields.UUID(required=True)
    name = fields.String(required=True)
    rank = fields.String(required=True)
    organisation = fields.String(required=True)
    appointment = fields.String(required=True)
    email = fields.String(required=True)
    phone = fields.String(required=True, allow_none=True)
    sectors = fields.List(fields.String(), required=True)
    requirements = fields.String(required=True)


class MyRegistrationOut(Schema):
    id = fields.UUID(required=True)
    reference = fields.String(required=True)
    status = fields.String(required=True)
    legal_name = fields.String(required=True)
    organisation_type = fields.String(required=True)
    state = fields.String(required=True, allow_none=True)
    country = fields.String(required=True)
    submitted_at = fields.AwareDateTime(required=True)


class MyDelegateOut(Schema):
    id = fields.UUID(required=True)
    full_name = fields.String(required=True)
    designation = fields.String(required=True)
    email = fields.String(required=True)
    nationality = fields.String(required=True)
    id_document_type = fields.String(required=True, allow_none=True)
    id_document_last4 = fields.String(required=True, allow_none=True)
    email_verified_at = fields.String(required=True, allow_none=True, metadata={"description": "HTTP date"})
    erased_at = fields.String(required=True, allow_none=True, metadata={"description": "HTTP date"})


class MeIdentityOut(Schema):
    delegate_id = fields.String(required=True)
    name = fields.String(required=True)


class MeOut(Schema):
    """A delegate sees their registration and delegation; an officer their roster entry."""

    officer = fields.Nested(OfficerOut)
    registration = fields.Nested(MyRegistrationOut)
    delegates = fields.List(fields.Nested(MyDelegateOut))
    me = fields.Nested(MeIdentityOut)


class RegistrationsQuery(Schema):
    status = fields.String(metadata={"description": "Only registrations in this status."})
    q = fields.String(metadata={"description": "Search the legal name, reference and GSTIN."})


class RegistrationRowOut(Schema):
    id = fields.UUID(required=True)
    reference = fields.String(required=True)
    legal_name = fields.String(required=True)
    organisation_type = fields.String(required=True)
    state = fields.String(required=True, allow_none=True)
    status = fields.String(required=True)
    submitted_at = fields.AwareDateTime(required=True)


class RegistrationsOut(Schema):
    registrations = fields.List(fields.Nested(RegistrationRowOut), required=True)


class DecisionOut(Schema):
    id = fields.UUID(required=True)
    status = fields.String(required=True)
    note = fields.String(required=True, allow_none=True)


class BulkResultOut(Schema):
    """Approved (status, note) or refused (error), each on its own."""

    id = fields.UUID(required=True)
    status = fields.String()
    note = fields.String(allow_none=True)
    error = fields.String()


class BulkApproveOut(Schema):
    results = fields.List(fields.Nested(BulkResultOut), required=True)


class CancelledOut(Schema):
    id = fields.UUID(required=True)
    status = fields.String(required=True)
    promoted_from_waitlist = fields.Raw(metadata={"description": "The registration approved in its place, if any."})


class EditionOut(Schema):
    id = fields.UUID(required=True)
    slug = fields.String(required=True)
    name = fields.String(required=True)
    venue = fields.String(required=True)
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True)
    registration_opens_at = fields.AwareDateTime(required=True)
    registration_closes_at = fields.AwareDateTime(required=True)


class EditionsOut(Schema):
    editions = fields.List(fields.Nested(EditionOut), required=True)


class SavedEditionOut(Schema):
    id = fields.UUID(required=True)
    slug = fields.String(required=True)


class OrganiserOut(Schema):
    id = fields.UUID(required=True)
    email = fields.String(required=True)
    name = fields.String(required=True)
    roles = fields.List(fields.String(), required=True)
    active = fields.Boolean(required=True)


class OrganisersOut(Schema):
    organisers = fields.List(fields.Nested(OrganiserOut), required=True)


class CreatedOut(Schema):
    id = fields.String(required=True)


class OfficersOut(Schema):
    officers = fields.List(fields.Nested(OfficerOut), required=True)


class OfficerBodyIn(Schema):
    """An officer as `add_officer` reads it (the roster's columns; other keys are ignored)."""

    class Meta:
        unknown = INCLUDE

    name = fields.String()
    rank = fields.String()
    organisation = fields.String()
    appointment = fields.String()
    email = fields.String()
    phone = fields.String(allow_none=True)
    sectors = fields.List(fields.String())
    requirements = fields.String()


class OfficerSavedOut(Schema):
    result = fields.String(required=True, metadata={"enum": ["added", "updated", "unchanged"]})


class RosterImportedOut(Schema):
    added = fields.Integer(required=True)
    updated = fields.Integer(required=True)
    unchanged = fields.Integer(required=True)


class RosterRowErrorsOut(Schema):
    line = fields.Integer(required=True)
    errors = fields.Dict(keys=fields.String(), values=fields.Raw(), required=True)


class RosterRefusedOut(Schema):
    """422 of a roster import: the import's own refusal with every bad row, or the shared error shape."""

    error = fields.String(required=True)
    message = fields.String(required=True)
    rows = fields.List(fields.Nested(RosterRowErrorsOut))
    fields_ = fields.Dict(data_key="fields", keys=fields.String(), values=fields.Raw())


class StatusOut(Schema):
    status = fields.String(required=True)


class CheckedInOut(Schema):
    status = fields.String(required=True, metadata={"enum": ["checked_in", "already_checked_in"]})
    full_name = fields.String(required=True)
    organisation = fields.String(required=True)
    role = fields.String(required=True)
    checked_in_at = fields.AwareDateTime(required=True)

"""Rules that span fields of a registration, checked without any web or database."""
from __future__ import annotations

import pytest

from services.registration.domain.model import (
    MAX_DELEGATES, Delegate, Organisation, OrganisationType, Registration)
from shared.errors import InvalidFields
from tests.support.registrations import gstin


def organisation(**changes) -> Organisation:
    fields = dict(legal_name="Bharat Optronics Ltd", type=OrganisationType.MSME, country="IN", state="DL",
                  gstin=gstin("07"), address="A-1 Okhla", city="New Delhi", postal_code="110020", website=None,
                  sectors=("land_systems",), capabilities="Thermal imagers", products="")
    fields.update(changes)
    return Organisation(**fields)


def delegate(email="a@example.in") -> Delegate:
    return Delegate(full_name="A Person", designation="CEO", email=email, phone="+919876543210", nationality="IN")


def submit(org=None, delegates=None) -> Registration:
    return Registration.submit(org or organisation(), delegates or [delegate()], [], [])


def errors_of(call) -> dict:
    with pytest.raises(InvalidFields) as refused:
        call()
    return refused.value.errors


def test_a_valid_registration_is_submitted_with_a_readable_reference():
    registration = submit()
    assert registration.status == "submitted"
    assert registration.reference.startswith("DPD-") and len(registration.reference) == 12
    assert registration.contact.email == "a@example.in"


def test_the_gstin_must_belong_to_the_state_given():
    errors = errors_of(lambda: submit(organisation(state="MH", gstin=gstin("07"))))
    assert errors["organisation.gstin"] == [
        "This GSTIN was issued in Delhi, but the state given is Maharashtra."]


def test_an_indian_organisation_needs_a_gstin_and_a_state():
    errors = errors_of(lambda: submit(organisation(gstin=None, state=None)))
    assert set(errors) == {"organisation.gstin", "organisation.state"}


def test_a_foreign_oem_is_outside_india_and_everyone_outside_india_is_a_foreign_oem():
    submit(organisation(type=OrganisationType.FOREIGN_OEM, country="FR", state=None, gstin=None))
    assert "organisation.type" in errors_of(lambda: submit(organisation(country="FR", state=None, gstin=None)))
    assert "organisation.country" in errors_of(lambda: submit(organisation(type=OrganisationType.FOREIGN_OEM)))


def test_udyam_numbers_belong_to_msmes_only():
    errors = errors_of(lambda: submit(organisation(type=OrganisationType.PRIME_CONTRACTOR,
                                                   udyam_number="UDYAM-DL-08-0012345")))
    assert "organisation.udyam_number" in errors


def test_delegates_are_capped_and_do_not_share_an_email_address():
    too_many = [delegate(f"d{i}@example.in") for i in range(MAX_DELEGATES + 1)]
    assert "delegates" in errors_of(lambda: submit(delegates=too_many))
    errors = errors_of(lambda: submit(delegates=[delegate("X@example.in"), delegate("x@example.in")]))
    assert errors == {"delegates.1.email": ["Delegate 1 already uses this email address."]}

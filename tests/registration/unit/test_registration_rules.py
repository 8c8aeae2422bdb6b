"""Rules that span fields of a registration, checked without any web or database."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from services.registration.domain.editions import CategoryRule, Edition
from services.registration.domain.model import Delegate, Organisation, OrganisationType, Registration
from shared.errors import InvalidFields, StateConflict
from tests.support.registrations import gstin


def organisation(**changes) -> Organisation:
    fields = dict(legal_name="Bharat Optronics Ltd", type=OrganisationType.MSME, country="IN", state="DL",
                  gstin=gstin("07"), address="A-1 Okhla", city="New Delhi", postal_code="110020", website=None,
                  sectors=("land_systems",), capabilities="Thermal imagers", products="")
    fields.update(changes)
    return Organisation(**fields)


def delegate(email="a@example.in") -> Delegate:
    return Delegate(full_name="A Person", designation="CEO", email=email, phone="+919876543210", nationality="IN")


NOW = datetime(2026, 11, 25, 10, 0, tzinfo=timezone.utc)
EDITION = Edition(slug="dpd-2026", name="Defence Partnership Days 2026", venue="Manekshaw Centre",
                  starts_on=date(2026, 12, 28), ends_on=date(2026, 12, 29), time_zone="Asia/Kolkata",
                  registration_opens_at=datetime(2026, 11, 1, tzinfo=timezone.utc),
                  registration_closes_at=datetime(2026, 12, 20, tzinfo=timezone.utc),
                  categories={"msme": CategoryRule(capacity=100, max_delegates=3)}, id="e-1")


def submit(org=None, delegates=None, *, edition=EDITION, now=NOW) -> Registration:
    return Registration.submit(edition, org or organisation(), delegates or [delegate()], [], [], now=now)


def errors_of(call) -> dict:
    with pytest.raises(InvalidFields) as refused:
        call()
    return refused.value.errors


def test_a_valid_registration_waits_for_its_email_check_with_a_readable_reference():
    registration = submit()
    assert registration.status == "awaiting_verification"
    assert registration.edition_id == "e-1"
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


def test_delegates_are_capped_by_the_edition_for_the_category_and_do_not_share_an_email_address():
    too_many = [delegate(f"d{i}@example.in") for i in range(4)]
    assert errors_of(lambda: submit(delegates=too_many)) == {
        "delegates": ["At most 3 delegates for an organisation of this kind."]}
    submit(organisation(type=OrganisationType.PRIME_CONTRACTOR, udyam_number=None), delegates=too_many)
    errors = errors_of(lambda: submit(delegates=[delegate("X@example.in"), delegate("x@example.in")]))
    assert errors == {"delegates.1.email": ["Delegate 1 already uses this email address."]}


def test_registration_is_refused_outside_the_editions_window():
    with pytest.raises(StateConflict, match="opens on 01 Nov 2026 at 05:30"):
        submit(now=datetime(2026, 10, 31, tzinfo=timezone.utc))
    with pytest.raises(StateConflict, match="closed on 20 Dec 2026"):
        submit(now=datetime(2026, 12, 20, tzinfo=timezone.utc))

import pytest

from services.registration.domain.contact import InvalidContact, normalise_email, normalise_phone
from services.registration.domain.errors import InvalidInput

# ---------------------------------------------------------------- phone


@pytest.mark.parametrize(
    "raw",
    [
        "+91 98765 43210",
        "098765 43210",
        "98765 43210",
        "0091 98765 43210",
        "+91-98765-43210",
        "(+91) 98765 43210",
        "  +919876543210  ",
    ],
)
def test_indian_mobile_in_any_usual_spelling_becomes_e164(raw):
    assert normalise_phone(raw) == "+919876543210"


def test_indian_landline_with_trunk_prefix_becomes_e164():
    assert normalise_phone("011 2301 2345") == "+911123012345"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("+1 650 253 0000", "+16502530000"), ("+44 20 7946 0958", "+442079460958")],
)
def test_foreign_number_with_plus_becomes_e164(raw, expected):
    assert normalise_phone(raw) == expected


def test_default_region_can_be_changed():
    assert normalise_phone("020 7946 0958", default_region="GB") == "+442079460958"


@pytest.mark.parametrize(
    ("raw", "expected_message"),
    [
        ("", "Phone number is empty"),
        ("   ", "Phone number is empty"),
        ("abc", "'abc' is not a phone number"),
        ("+999 1234 5678", "does not start with a known country code"),
        ("1" * 300, "is too long"),
        ("+91 00000 00000", "is not a valid number for country code \\+91"),
        ("12", "is not a valid number for country code \\+91"),
        ("+1 555 010 0000", "is not a valid number for country code \\+1"),
        ("+91 98765 43210 ext 5", "has an extension"),
    ],
)
def test_invalid_phone_numbers_are_rejected_with_a_reason(raw, expected_message):
    with pytest.raises(InvalidContact, match=expected_message):
        normalise_phone(raw)


# ---------------------------------------------------------------- email


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("priya.sharma@example.com", "priya.sharma@example.com"),
        ("Priya.Sharma@Example.COM", "Priya.Sharma@example.com"),
        ("  officer@drdo.gov.in\n", "officer@drdo.gov.in"),
        ("user@münchen.de", "user@münchen.de"),
    ],
)
def test_valid_email_is_returned_normalised(raw, expected):
    assert normalise_email(raw) == expected


def test_email_validation_does_not_look_up_the_domain():
    assert normalise_email("buyer@no-such-domain-exists.co.in") == "buyer@no-such-domain-exists.co.in"


@pytest.mark.parametrize(
    ("raw", "expected_message"),
    [
        ("", "Email address is empty"),
        ("not-an-email", "must have an @-sign"),
        ("a@@example.com", "is not valid"),
        ("someone@localhost", "is not valid"),
        ("two words@example.com", "is not valid"),
        ("someone@example", "is not valid"),
    ],
)
def test_invalid_email_is_rejected_with_a_reason(raw, expected_message):
    with pytest.raises(InvalidContact, match=expected_message):
        normalise_email(raw)


def test_invalid_contact_is_an_invalid_input():
    assert issubclass(InvalidContact, InvalidInput)
    assert issubclass(InvalidContact, ValueError)

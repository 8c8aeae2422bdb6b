"""Delegates' phone numbers and email addresses, validated and put in one canonical form.

Canonical forms matter beyond tidiness: duplicate registrations are caught by
comparing them, and notifications (email, later SMS) are sent to them. Phones become
E.164 ("+919876543210"), the form SMS gateways take; emails get the normalisation of
`email-validator` (domain lower-cased and IDNA-checked, Unicode normalised). Neither
check touches the network: registration must not wait on DNS, and deliverability is
proven later by the confirmation email itself.
"""

import email_validator
import phonenumbers

from services.registration.domain.errors import InvalidInput


class InvalidContact(InvalidInput):
    """A phone number or email address is not usable; `str(exc)` says why."""


# Most registrants are Indian and type numbers as they would dial them at home.
DEFAULT_PHONE_REGION = "IN"

_PARSE_FAILURES = {
    phonenumbers.NumberParseException.INVALID_COUNTRY_CODE: "does not start with a known country code",
    phonenumbers.NumberParseException.NOT_A_NUMBER: "is not a phone number",
    phonenumbers.NumberParseException.TOO_SHORT_AFTER_IDD: "is too short",
    phonenumbers.NumberParseException.TOO_SHORT_NSN: "is too short",
    phonenumbers.NumberParseException.TOO_LONG: "is too long",
}


def normalise_phone(raw: str, default_region: str = DEFAULT_PHONE_REGION) -> str:
    """Validate a phone number and return it in E.164.

    Numbers written without "+" are read as dialled in `default_region`, so
    "098765 43210" and "+91 98765 43210" are the same Indian mobile; foreign numbers
    need "+" and their country code.
    """
    text = raw.strip()
    if not text:
        raise InvalidContact("Phone number is empty.")
    try:
        number = phonenumbers.parse(text, default_region)
    except phonenumbers.NumberParseException as exc:
        reason = _PARSE_FAILURES.get(exc.error_type, "is not a phone number")
        raise InvalidContact(f"Phone number {text!r} {reason}.") from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidContact(
            f"Phone number {text!r} is not a valid number for country code "
            f"+{number.country_code}: check the digits, and write a number from "
            "another country as + and its country code."
        )
    if number.extension:
        # E.164 has no place for an extension; dropping it silently would leave a
        # number that reaches a switchboard instead of the delegate.
        raise InvalidContact(
            f"Phone number {text!r} has an extension; give a direct or mobile number."
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_email(raw: str) -> str:
    """Validate an email address's syntax and return its normalised form.

    The local part keeps its case (mail servers may treat it as significant); code
    that looks for duplicates should compare addresses case-insensitively.
    """
    text = raw.strip()
    if not text:
        raise InvalidContact("Email address is empty.")
    try:
        validated = email_validator.validate_email(text, check_deliverability=False)
    except email_validator.EmailNotValidError as exc:
        raise InvalidContact(f"Email address {text!r} is not valid: {exc}") from None
    return validated.normalized

"""Identity documents: checked on the way in, encrypted at rest, shown only masked."""
from __future__ import annotations

import os

import pytest

from services.registration.adapters.personal_data import FieldCipher, masked, parse_key
from services.registration.domain.model import IdentityDocument
from shared.errors import InvalidFields


def test_a_number_encrypts_to_something_else_every_time_and_decrypts_only_for_its_own_record():
    cipher = FieldCipher(os.urandom(32))
    first = cipher.encrypt("Z1234567", context="delegate-1")
    assert "Z1234567" not in first and first != cipher.encrypt("Z1234567", context="delegate-1")
    assert cipher.decrypt(first, context="delegate-1") == "Z1234567"
    with pytest.raises(ValueError, match="another record"):
        cipher.decrypt(first, context="delegate-2")


def test_a_rotated_key_still_reads_old_values_and_writes_with_the_new_one():
    old, new = os.urandom(32), os.urandom(32)
    stored = FieldCipher(old).encrypt("ABCPN1234K", context="d")
    rotated = FieldCipher(new, previous_keys=(old,))
    assert rotated.decrypt(stored, context="d") == "ABCPN1234K"
    with pytest.raises(ValueError, match="unknown key"):
        FieldCipher(new).decrypt(stored, context="d")


def test_keys_must_be_32_random_bytes_in_base64():
    with pytest.raises(ValueError):
        parse_key("c2hvcnQ=")
    with pytest.raises(ValueError):
        parse_key("not base64 at all!")


@pytest.mark.parametrize("kind, number, nationality, ok", [
    ("aadhaar", "2345 6789 0123", "IN", True),
    ("aadhaar", "1234 5678 9012", "IN", False),  # Aadhaar numbers never start with 0 or 1
    ("pan", "abcpn1234k", "IN", True),
    ("pan", "ABCPN12345", "IN", False),
    ("passport", "19AB12345", "FR", True),
    ("aadhaar", "2345 6789 0123", "FR", False),  # foreign nationals identify with their passport
])
def test_identity_documents_are_checked_for_their_kind_and_the_holders_nationality(kind, number, nationality, ok):
    if ok:
        document = IdentityDocument.of(kind, number, nationality)
        assert masked(document.last_characters) == "••••" + document.number[-4:]
    else:
        with pytest.raises(InvalidFields):
            IdentityDocument.of(kind, number, nationality)

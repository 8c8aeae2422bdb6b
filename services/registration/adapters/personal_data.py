"""Encryption at rest for the personal data we must keep but never show: identity document numbers.

AES-256-GCM with a random nonce per value; the stored text names the key that encrypted it,
so keys can be rotated (new values use the current key, old ones still decrypt) and a
leaked database dump reveals nothing without the key, which lives outside the database.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_FORMAT = "v1"


def key_id(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()[:8]


def parse_key(text: str) -> bytes:
    """A key as configured: 32 random bytes, base64-encoded (`python -c "import os,base64;
    print(base64.b64encode(os.urandom(32)).decode())"`)."""
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("not base64") from None
    if len(key) != 32:
        raise ValueError("must decode to exactly 32 bytes")
    return key


class FieldCipher:
    def __init__(self, current_key: bytes, previous_keys: tuple[bytes, ...] = ()):
        self._current = key_id(current_key)
        self._keys = {key_id(key): AESGCM(key) for key in (current_key, *previous_keys)}

    def encrypt(self, plaintext: str, *, context: str) -> str:
        """`context` (e.g. the delegate id) is bound in: a value copied to another row does not decrypt."""
        nonce = os.urandom(12)
        sealed = self._keys[self._current].encrypt(nonce, plaintext.encode(), context.encode())
        return f"{_FORMAT}:{self._current}:{base64.b64encode(nonce + sealed).decode()}"

    def decrypt(self, stored: str, *, context: str) -> str:
        version, kid, payload = stored.split(":", 2)
        if version != _FORMAT or kid not in self._keys:
            raise ValueError(f"encrypted with an unknown key {kid}")
        raw = base64.b64decode(payload)
        try:
            return self._keys[kid].decrypt(raw[:12], raw[12:], context.encode()).decode()
        except InvalidTag:
            raise ValueError("the value was altered or belongs to another record") from None


def masked(last_characters: str | None) -> str:
    """How every view shows an identity document number: only its last four characters."""
    return f"••••{last_characters}" if last_characters else "—"

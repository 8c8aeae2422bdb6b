"""The code an e-badge carries: a badge id that venue staff can trust without a lookup table.

A code is `DPD1-` followed by the badge id's 16 bytes and a truncated HMAC-SHA256 tag,
together in upper-case base32 without padding (A-Z, 2-7). That alphabet is a subset of
the QR alphanumeric mode, so the QR stays small (version 3 at error correction Q), and a
code survives a scanner or a person that changes case.

Reading a code proves that this platform issued it; it does not prove that the badge is
still valid. Whoever checks a person in must still look the badge id up (revoked,
reissued, registration cancelled). The id itself is readable by anyone who decodes the
base32: it should be a random id given to the badge, not a meaningful one.
"""

import base64
import hashlib
import hmac
import uuid
from collections.abc import Iterable

from services.registration.domain.errors import InvalidInput

# The prefix names the format version. It is also signed, so a tag made for one version
# of the format can never be accepted by another.
CODE_PREFIX = "DPD1-"

# 80 bits: RFC 2104 (section 5) advises keeping at least 80 bits of a truncated HMAC.
# A forger gets no offline oracle; every guess is one scan at a gate, so 2**80 guesses
# is out of reach, while each byte we save keeps the QR small enough to scan from a phone.
TAG_LENGTH = 10

# HMAC-SHA256 keys shorter than the hash output weaken it; 32 random bytes is the norm.
MINIMUM_SECRET_LENGTH = 32

_ID_LENGTH = 16
_PAYLOAD_LENGTH = _ID_LENGTH + TAG_LENGTH
_BODY_LENGTH = len(base64.b32encode(bytes(_PAYLOAD_LENGTH)).rstrip(b"="))


class InvalidBadge(InvalidInput):
    """A scanned or typed badge code was not issued by us; `str()` is for venue staff."""


class BadgeSigner:
    """Turns badge ids into badge codes and back.

    Codes are signed with `secret`. To rotate it, pass the new secret as `secret` and the
    old ones as `previous_secrets`: badges already printed or emailed keep checking in,
    and every new code is signed with the new secret.
    """

    def __init__(self, secret: bytes, previous_secrets: Iterable[bytes] = ()) -> None:
        self._secret = _checked_secret(secret)
        self._accepted_secrets = (self._secret, *map(_checked_secret, previous_secrets))

    def code_for(self, badge_id: uuid.UUID | str) -> str:
        """The text to put in the badge's QR code (and print under it)."""
        id_bytes = uuid.UUID(str(badge_id)).bytes
        payload = id_bytes + _tag(self._secret, id_bytes)
        return CODE_PREFIX + base64.b32encode(payload).decode("ascii").rstrip("=")

    def read(self, code: str) -> uuid.UUID:
        """The badge id in `code`, once its tag checks out under one of our secrets.

        Case and whitespace are ignored, wherever they are: scanners may report lower
        case, and people type the code as printed, in groups.
        """
        normalised = "".join(code.split()).upper()
        if not normalised.startswith(CODE_PREFIX):
            raise InvalidBadge(
                f"This is not one of our badges: its code should start with {CODE_PREFIX}."
            )
        payload = _decode_body(normalised.removeprefix(CODE_PREFIX))
        id_bytes, tag = payload[:_ID_LENGTH], payload[_ID_LENGTH:]
        if not any(
            hmac.compare_digest(tag, _tag(secret, id_bytes)) for secret in self._accepted_secrets
        ):
            raise _damaged()
        return uuid.UUID(bytes=id_bytes)


def _checked_secret(secret: bytes) -> bytes:
    secret = bytes(secret)
    if len(secret) < MINIMUM_SECRET_LENGTH:
        raise ValueError(
            f"A badge signing secret needs at least {MINIMUM_SECRET_LENGTH} bytes, "
            f"got {len(secret)}; generate one with secrets.token_bytes(32)."
        )
    return secret


def _tag(secret: bytes, id_bytes: bytes) -> bytes:
    message = CODE_PREFIX.encode("ascii") + id_bytes
    return hmac.new(secret, message, hashlib.sha256).digest()[:TAG_LENGTH]


def _decode_body(body: str) -> bytes:
    if len(body) != _BODY_LENGTH:
        raise _damaged()
    padding = "=" * (-len(body) % 8)
    try:
        payload = base64.b32decode(body + padding)
    except ValueError:  # a character outside the alphabet, including non-ASCII ones
        raise _damaged() from None
    # The last character carries two unused bits that decoding ignores; only the one
    # canonical spelling is ours, so an altered character can never pass unnoticed.
    if base64.b32encode(payload).decode("ascii").rstrip("=") != body:
        raise _damaged()
    return payload


def _damaged() -> InvalidBadge:
    return InvalidBadge(
        "This badge code is damaged or altered, or it is not one of ours. Scan it again "
        "or type the code printed under the QR; if it still fails, send the holder to "
        "the registration desk."
    )

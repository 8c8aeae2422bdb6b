"""Signed access tokens: the identity service signs with its Ed25519 private key, every
service verifies with the public keys (several, so keys can rotate without downtime).

A token says who the bearer is (an organiser account and its roles, or a participant and
the registration they belong to) and until when. Revocation (sign-out, role changes) is
checked separately against `shared.revocation`, since a signed token cannot be unsigned.
"""
from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ISSUER = "dpd-identity"
AUDIENCE = "dpd"
ALGORITHM = "EdDSA"

ORGANISER = "organiser"
PARTICIPANT = "participant"
ORGANISER_ROLES = ("admin", "vetting", "matchmaking", "finance", "viewer")


class InvalidToken(Exception):
    """The token is malformed, forged, expired, or not for us."""


@dataclass(frozen=True)
class Principal:
    """Who is asking. Organisers have roles; participants belong to one registration."""

    kind: str
    subject: str
    name: str
    issued_at: datetime
    roles: frozenset[str] = frozenset()
    registration_id: str | None = None  # a delegate's organisation
    officer: bool = False  # a participant who is an officer on the roster, not a delegate

    @property
    def is_organiser(self) -> bool:
        return self.kind == ORGANISER

    def has_any_role(self, roles) -> bool:
        return bool(self.roles & set(roles))


def key_id(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def load_public_keys(paths: list[Path]) -> dict[str, Ed25519PublicKey]:
    keys = {}
    for path in paths:
        key = serialization.load_pem_public_key(path.read_bytes())
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError(f"{path} is not an Ed25519 public key")
        keys[key_id(key)] = key
    return keys


def load_private_key(path: Path) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} is not an Ed25519 private key")
    return key


def write_new_key_pair(private_path: Path, public_path: Path) -> None:
    """A fresh signing key pair as PEM files (the private one readable by its owner only)."""
    key = Ed25519PrivateKey.generate()
    private_path.parent.mkdir(parents=True, exist_ok=True)
    private_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))
    private_path.chmod(0o600)
    public_path.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM,
                                                          serialization.PublicFormat.SubjectPublicKeyInfo))


@dataclass
class TokenIssuer:
    private_key: Ed25519PrivateKey
    lifetime: timedelta
    clock: callable = field(default=lambda: datetime.now(timezone.utc))

    def issue(self, *, kind: str, subject: str, name: str, roles: frozenset[str] = frozenset(),
              registration_id: str | None = None, officer: bool = False) -> tuple[str, datetime]:
        """A signed token and the moment it expires."""
        now = self.clock()
        expires = now + self.lifetime
        claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": subject, "kind": kind, "name": name,
                  # Fractional seconds (allowed by RFC 7519), so a sign-out at 10:00:00.5 does not
                  # also refuse the token of a sign-in at 10:00:00.8.
                  "roles": sorted(roles), "iat": now.timestamp(), "exp": expires, "jti": str(uuid.uuid4())}
        if registration_id:
            claims["reg"] = registration_id
        if officer:
            claims["officer"] = True
        token = jwt.encode(claims, self.private_key, algorithm=ALGORITHM,
                           headers={"kid": key_id(self.private_key.public_key())})
        return token, expires


class TokenVerifier:
    def __init__(self, public_keys: dict[str, Ed25519PublicKey]):
        if not public_keys:
            raise ValueError("at least one public key is needed to verify tokens")
        self._keys = public_keys

    def verify(self, token: str) -> Principal:
        try:
            kid = jwt.get_unverified_header(token).get("kid")
            key = self._keys.get(kid)
            if key is None:
                raise InvalidToken("signed with a key we do not know")
            claims = jwt.decode(token, key, algorithms=[ALGORITHM], audience=AUDIENCE, issuer=ISSUER,
                                options={"require": ["exp", "iat", "sub", "kind"]})
        except jwt.PyJWTError as error:
            raise InvalidToken(str(error)) from None
        if claims["kind"] not in (ORGANISER, PARTICIPANT):
            raise InvalidToken("unknown kind of principal")
        return Principal(kind=claims["kind"], subject=claims["sub"], name=claims.get("name", ""),
                         issued_at=datetime.fromtimestamp(claims["iat"], timezone.utc),
                         roles=frozenset(claims.get("roles", ())), registration_id=claims.get("reg"),
                         officer=bool(claims.get("officer", False)))

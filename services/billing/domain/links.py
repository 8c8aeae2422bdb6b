"""Signed, expiring links to a buyer's documents, so an email can carry a download link
that works without signing in and cannot be altered to reach someone else's invoice."""
from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime, timezone


class DocumentLinkSigner:
    def __init__(self, secret: bytes):
        if len(secret) < 16:
            raise ValueError("a link signing secret has at least 16 bytes")
        self._secret = secret

    def signature(self, kind: str, document_id: str, expires: int) -> str:
        message = f"{kind}:{document_id}:{expires}".encode()
        digest = hmac.new(self._secret, message, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    def query(self, kind: str, document_id: str, expires_at: datetime) -> str:
        expires = int(expires_at.timestamp())
        return f"expires={expires}&signature={self.signature(kind, document_id, expires)}"

    def is_valid(self, kind: str, document_id: str, expires: str, signature: str, *, now: datetime | None = None) -> bool:
        try:
            expires_at = int(expires)
        except (TypeError, ValueError):
            return False
        now = now or datetime.now(timezone.utc)
        return (expires_at > now.timestamp()
                and hmac.compare_digest(self.signature(kind, document_id, expires_at), signature or ""))

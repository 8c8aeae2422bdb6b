"""Digests: a person who receives many requests of one kind gets at most one email about them
per period, listing every new one. Plain Python; the job that applies it is digests.py.

The first request after a quiet period goes out at once, alone, in its own template; those
that arrive within the period after it wait and go out together in the digest template.
"""
from __future__ import annotations

from dataclasses import dataclass

from services.notification.domain.messages import EmailToSend, Recipient


@dataclass(frozen=True)
class DigestItem:
    """One request waiting for its recipient's next digest: the email it would have been alone."""

    template: str
    context: dict


def digest_email(kind: str, recipient: Recipient, items: list[DigestItem]) -> EmailToSend:
    """One pending item reads as the email it would have been; several as one list."""
    if not items:
        raise ValueError("a digest needs at least one item")
    if len(items) == 1:
        return EmailToSend(recipient=recipient, template=items[0].template, context=items[0].context)
    return EmailToSend(recipient=recipient, template=f"{kind}_digest", context={
        "full_name": recipient.full_name, "count": len(items), "items": [item.context for item in items]})

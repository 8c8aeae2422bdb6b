"""Rotating the token signing key and the payment gateway's webhook secret without downtime.

Signing key (registration signs, every service verifies with AUTH_PUBLIC_KEY_FILES):
  1. `new-signing-key DIR` writes a new pair; add its public file to every service's
     AUTH_PUBLIC_KEY_FILES (old first, new second) and roll every service out.
  2. Point registration's AUTH_SIGNING_KEY_FILE at the new private key and roll it out;
     `check-signing-key` in its environment confirms every verifier knows the new key.
  3. After the longest session (PARTICIPANT_SESSION_HOURS, 24 h by default) no token of
     the old key is alive: drop its public file and roll out once more.

Webhook secret (billing verifies the gateway's signatures):
  1. `new-webhook-secret` prints a fresh secret. Deploy billing with it as
     RAZORPAY_WEBHOOK_SECRET and the old one in PREVIOUS_RAZORPAY_WEBHOOK_SECRETS: both verify.
  2. Set the new secret on the gateway's webhook. Once its retries of older callbacks are
     over (PAYMENT_WEBHOOK_MAX_AGE_HOURS), remove PREVIOUS_RAZORPAY_WEBHOOK_SECRETS and roll out.
"""
from __future__ import annotations

import secrets
from pathlib import Path

from shared.auth import key_id, load_private_key, load_public_keys, write_new_key_pair

# Billing's settings (services/billing/config.py): the current secret, and those still accepted.
WEBHOOK_SECRET_VARIABLE = "RAZORPAY_WEBHOOK_SECRET"
PREVIOUS_WEBHOOK_SECRETS_VARIABLE = "PREVIOUS_RAZORPAY_WEBHOOK_SECRETS"


def new_signing_key(directory: Path, name: str) -> tuple[Path, Path, str]:
    """A new Ed25519 pair as `name`.pem and `name`.pub.pem in `directory`; with its key id."""
    private_file, public_file = directory / f"{name}.pem", directory / f"{name}.pub.pem"
    if private_file.exists() or public_file.exists():
        raise FileExistsError(f"{private_file} or {public_file} exists already: choose another name")
    write_new_key_pair(private_file, public_file)
    return private_file, public_file, key_id(load_private_key(private_file).public_key())


def signing_key_is_verifiable(private_file: Path, public_files: list[Path]) -> tuple[str, list[str]]:
    """The signing key's id, and the ids of the public keys verifiers load (it must be among them)."""
    signing = key_id(load_private_key(private_file).public_key())
    return signing, sorted(load_public_keys(public_files))


def new_webhook_secret() -> str:
    return secrets.token_urlsafe(32)

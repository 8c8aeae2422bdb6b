"""Organiser accounts: which roles exist and what a password must be. Plain Python."""
from __future__ import annotations

from shared.auth import ORGANISER_ROLES
from shared.errors import InvalidFields

MIN_PASSWORD_LENGTH = 12
# The handful that people still choose for "a long password"; a full breached-password
# list belongs behind a proper service, not in the code.
_COMMON = {"password1234", "123456789012", "qwertyuiopas", "defence12345", "administrator", "letmein12345"}


def check_roles(roles: list[str]) -> frozenset[str]:
    unknown = sorted(set(roles) - set(ORGANISER_ROLES))
    if unknown:
        raise InvalidFields({"roles": [f"Unknown role(s): {', '.join(unknown)}. "
                                       f"Choose from {', '.join(ORGANISER_ROLES)}."]})
    if not roles:
        raise InvalidFields({"roles": ["Give the account at least one role."]})
    return frozenset(roles)


def check_password(password: str, email: str) -> None:
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(f"Use at least {MIN_PASSWORD_LENGTH} characters.")
    if len(set(password)) < 4:
        problems.append("Use more than a few different characters.")
    if password.lower() in _COMMON:
        problems.append("This password is too common.")
    local_part = email.split("@")[0].lower()
    if len(local_part) >= 4 and local_part in password.lower():
        problems.append("Do not build the password from your email address.")
    if problems:
        raise InvalidFields({"password": problems})

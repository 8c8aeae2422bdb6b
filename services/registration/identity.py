"""Sign-in for organisers (email and password) and participants (single-use emailed links),
organiser accounts, sign-out and revocation. Registration is the one identity issuer."""
from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.engine import Connection

from services.registration import events
from services.registration.adapters.tables import (
    access_links, audit_log, delegates, officers, organiser_accounts, outbox, registrations, revoked_subjects)
from services.registration.bootstrap import Registration
from services.registration.domain.accounts import check_password, check_roles
from services.registration.domain.contact import normalise_email
from services.registration.domain.errors import InvalidInput
from services.registration.domain.vetting import Status
from shared.audit import record_audit
from shared.auth import ORGANISER, PARTICIPANT, Principal
from shared.errors import InvalidFields, StateConflict
from shared.outbox import record_event
from shared.revocation import ACCESS_REVOKED, revoke


# Registrants sign in to follow and correct a registration under review, not only once approved.
SIGN_IN_STATUSES = (Status.SUBMITTED.value, Status.CHANGES_REQUESTED.value, Status.WAITLISTED.value,
                    Status.APPROVED.value)


class SignInRefused(Exception):
    """Wrong email or password, or a disabled account: deliberately not saying which."""


class AccessLinkRefused(Exception):
    """The link is unknown, used or expired; the message tells the participant what to do."""


@dataclass(frozen=True)
class Session:
    token: str
    expires_at: datetime
    principal_name: str


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _account_view(row) -> dict:
    return {"email": row.email, "name": row.name, "roles": sorted(row.roles), "active": row.active}


def sign_in_organiser(wiring: Registration, email: str, password: str) -> Session:
    with wiring.engine.begin() as connection:
        account = connection.execute(sa.select(organiser_accounts).where(
            sa.func.lower(organiser_accounts.c.email) == email.strip().lower())).first()
        if account is None:
            wiring.passwords.hash(password)  # as slow as a real check: no timing hint that the email is unknown
            raise SignInRefused()
        try:
            wiring.passwords.verify(account.password_hash, password)
        except (VerificationError, InvalidHashError):
            raise SignInRefused() from None
        if not account.active:
            raise SignInRefused()
        changes = {"last_sign_in_at": sa.func.now()}
        if wiring.passwords.check_needs_rehash(account.password_hash):
            changes["password_hash"] = wiring.passwords.hash(password)
        connection.execute(organiser_accounts.update().where(organiser_accounts.c.id == account.id).values(**changes))
    token, expires = wiring.organiser_tokens.issue(kind=ORGANISER, subject=account.id, name=account.name,
                                                  roles=frozenset(account.roles))
    return Session(token, expires, account.name)


def create_organiser(wiring: Registration, *, actor: Principal | None, email: str, name: str, roles: list[str],
                     password: str, correlation_id: str) -> str:
    try:
        email = normalise_email(email)
    except InvalidInput as error:
        raise InvalidFields({"email": [str(error)]}) from None
    checked_roles = check_roles(roles)
    check_password(password, email)
    account_id = str(uuid.uuid4())
    with wiring.engine.begin() as connection:
        taken = connection.execute(sa.select(organiser_accounts.c.id).where(
            sa.func.lower(organiser_accounts.c.email) == email.lower())).first()
        if taken:
            raise InvalidFields({"email": ["An organiser account with this email exists already."]})
        connection.execute(organiser_accounts.insert().values(
            id=account_id, email=email, name=name, roles=sorted(checked_roles),
            password_hash=wiring.passwords.hash(password)))
        record_audit(connection, audit_log, actor=actor, action="organiser.created", target_type="organiser",
                     target_id=account_id, correlation_id=correlation_id,
                     after={"email": email, "name": name, "roles": sorted(checked_roles), "active": True})
    return account_id


def update_organiser(wiring: Registration, *, actor: Principal, account_id: str, roles: list[str], active: bool,
                     correlation_id: str) -> None:
    """New roles or a disabled account take effect at once: every token issued before is revoked."""
    checked_roles = check_roles(roles)
    if account_id == actor.subject and ("admin" not in checked_roles or not active):
        raise StateConflict("You cannot take away your own admin role or disable yourself; ask another admin.")
    with wiring.engine.begin() as connection:
        before = connection.execute(sa.select(organiser_accounts).where(
            organiser_accounts.c.id == account_id).with_for_update()).first()
        if before is None:
            raise StateConflict("No such organiser account.")
        connection.execute(organiser_accounts.update().where(organiser_accounts.c.id == account_id)
                           .values(roles=sorted(checked_roles), active=active))
        after = {**_account_view(before), "roles": sorted(checked_roles), "active": active}
        record_audit(connection, audit_log, actor=actor, action="organiser.updated", target_type="organiser",
                     target_id=account_id, before=_account_view(before), after=after, correlation_id=correlation_id)
        if after != _account_view(before):
            _revoke_everywhere(wiring, connection, account_id, "roles changed", correlation_id)


def sign_out(wiring: Registration, principal: Principal, correlation_id: str) -> None:
    with wiring.engine.begin() as connection:
        _revoke_everywhere(wiring, connection, principal.subject, "signed out", correlation_id)


def _revoke_everywhere(wiring: Registration, connection: Connection, subject: str, reason: str,
                       correlation_id: str) -> None:
    """Here at once, in the other services as soon as they consume the event."""
    not_before = _now()
    revoke(connection, revoked_subjects, subject, not_before)
    record_event(connection, outbox, topic=events.IDENTITY_TOPIC, correlation_id=correlation_id,
                 envelope=wiring.contracts.create(ACCESS_REVOKED, subject,
                                                  {"subject": subject, "not_before": not_before, "reason": reason}))


def request_access_link(wiring: Registration, email: str, *, link_base_url: str, correlation_id: str) -> None:
    """Email a sign-in link to every delegate of a confirmed registration and every rostered officer with this
    address. Says nothing about whether there was one, so the form cannot be used to find
    out who registered."""
    expires_at = _now() + timedelta(minutes=wiring.settings.access_link_minutes)
    address = email.strip().lower()
    with wiring.engine.begin() as connection:
        people = connection.execute(
            sa.select(delegates.c.id, delegates.c.email, delegates.c.full_name, sa.literal("delegate_id").label("key"))
            .join(registrations, registrations.c.id == delegates.c.registration_id)
            .where(sa.func.lower(delegates.c.email) == address, registrations.c.status.in_(SIGN_IN_STATUSES))
            .union_all(
                sa.select(officers.c.id, officers.c.email, officers.c.name, sa.literal("officer_id"))
                .where(sa.func.lower(officers.c.email) == address, officers.c.removed_at.is_(None)))).all()
        for person in people:
            secret = secrets.token_urlsafe(32)
            connection.execute(access_links.insert().values(token_hash=_hash(secret), expires_at=expires_at,
                                                            **{person.key: person.id}))
            record_event(connection, outbox, topic=events.IDENTITY_TOPIC, correlation_id=correlation_id,
                         envelope=wiring.contracts.create(events.ACCESS_LINK_ISSUED, person.id, {
                             "person_id": person.id, "email": person.email, "full_name": person.full_name,
                             "url": f"{link_base_url}/access/{secret}", "expires_at": expires_at}))


def redeem_access_link(wiring: Registration, secret: str) -> Session:
    with wiring.engine.begin() as connection:
        link = connection.execute(
            sa.select(access_links, delegates.c.full_name, delegates.c.registration_id, registrations.c.status,
                      officers.c.name.label("officer_name"), officers.c.removed_at)
            .outerjoin(delegates, delegates.c.id == access_links.c.delegate_id)
            .outerjoin(registrations, registrations.c.id == delegates.c.registration_id)
            .outerjoin(officers, officers.c.id == access_links.c.officer_id)
            .where(access_links.c.token_hash == _hash(secret)).with_for_update(of=access_links)).first()
        if link is None:
            raise AccessLinkRefused("This sign-in link is not valid. Ask for a new one.")
        if link.used_at is not None:
            raise AccessLinkRefused("This sign-in link has been used already. Ask for a new one.")
        if link.expires_at <= _now():
            raise AccessLinkRefused("This sign-in link has expired. Ask for a new one.")
        if link.delegate_id and link.status not in SIGN_IN_STATUSES:
            raise AccessLinkRefused(f"This registration is {link.status.replace('_', ' ')}: there is nothing to sign in to.")
        if link.officer_id and link.removed_at is not None:
            raise AccessLinkRefused("You are no longer on the officer roster.")
        connection.execute(access_links.update().where(access_links.c.token_hash == link.token_hash)
                           .values(used_at=sa.func.now()))
    if link.officer_id:
        token, expires = wiring.participant_tokens.issue(kind=PARTICIPANT, subject=link.officer_id,
                                                        name=link.officer_name, officer=True)
        return Session(token, expires, link.officer_name)
    token, expires = wiring.participant_tokens.issue(kind=PARTICIPANT, subject=link.delegate_id,
                                                    name=link.full_name, registration_id=link.registration_id)
    return Session(token, expires, link.full_name)


def list_organisers(wiring: Registration) -> list:
    with wiring.engine.connect() as connection:
        return connection.execute(sa.select(organiser_accounts).order_by(organiser_accounts.c.name)).all()

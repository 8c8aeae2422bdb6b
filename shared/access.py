"""Who may call which route. Every view is classified with one of the decorators below;
a route left unclassified is refused (fail closed), and a test walks every service's URL
map to make sure none is.

- `@public`: anyone (health checks, the registration form, sign-in).
- `@participant`: a signed-in participant; the view shows only their own data.
- `@signed_in`: any signed-in organiser or participant (signing out).
- `@organiser("vetting")`: an organiser with one of these roles (admin always may);
  `read_only=True` lets `viewer`s in too, for views that change nothing.

Tokens come as `Authorization: Bearer ...` (APIs) or in the HttpOnly session cookie
(pages). Requests carried by the cookie that change something must echo the CSRF token
(double-submit: the `dpd_csrf` cookie's value in a `csrf_token` form field or an
`X-CSRF-Token` header), as must every form post, signed in or not.
"""
from __future__ import annotations

import hmac
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from flask import Flask, abort, g, redirect, request

from shared.auth import ORGANISER, PARTICIPANT, InvalidToken, Principal, TokenVerifier
from shared.revocation import RevocationList
from shared.web import error_response

log = logging.getLogger(__name__)

SESSION_COOKIE = "dpd_session"
CSRF_COOKIE = "dpd_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
_UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data", "text/plain")


@dataclass(frozen=True)
class Access:
    kind: str  # "public", "participant" or "organiser"
    roles: frozenset[str] = frozenset()

    def admits(self, principal: Principal) -> bool:
        if self.kind == "signed_in":
            return True
        if self.kind == PARTICIPANT:
            return principal.kind == PARTICIPANT
        return principal.kind == ORGANISER and principal.has_any_role(self.roles)


def _classify(access: Access) -> Callable:
    def mark(view):
        view.access = access
        return view
    return mark


public = _classify(Access("public"))
participant = _classify(Access(PARTICIPANT))
signed_in = _classify(Access("signed_in"))  # anyone signed in, e.g. to sign out


def csrf_exempt(view):
    """For a public route that another site posts to by design (a payment gateway sending the
    buyer back), whose body carries its own signature: no CSRF token is asked for, and the
    session cookie is not read, so a forged cross-site post can act as nobody."""
    view.csrf_exempt = True
    return view


def organiser(*roles: str, read_only: bool = False) -> Callable:
    allowed = {"admin", *roles} | ({"viewer"} if read_only else set())
    return _classify(Access(ORGANISER, frozenset(allowed)))


def access_of(view) -> Access | None:
    return getattr(view, "access", None)


def current_principal() -> Principal | None:
    return g.get("principal")


def install_access(app: Flask, verifier: TokenVerifier, revocations: RevocationList, *,
                   organiser_sign_in_url: str, participant_sign_in_url: str, secure_cookies: bool) -> None:
    """Authenticate every request, enforce its route's classification, and guard against CSRF."""

    @app.before_request
    def enforce_access():
        g.csrf_token = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(32)
        view = app.view_functions.get(request.endpoint) if request.endpoint else None
        if getattr(view, "csrf_exempt", False):
            if access_of(view) != Access("public"):
                abort(403)  # only a public route may be exempt: nothing signed in rides a cross-site post
            g.principal = None
            return None
        g.principal, via_cookie = _authenticate(verifier, revocations)
        browser_form = request.mimetype in _FORM_TYPES and not request.path.startswith("/api/")
        if request.method in _UNSAFE_METHODS and (via_cookie or browser_form):
            offered = request.headers.get(CSRF_HEADER) or request.form.get(CSRF_FIELD, "")
            if not (request.cookies.get(CSRF_COOKIE) and hmac.compare_digest(offered, g.csrf_token)):
                return error_response(403, "csrf_failed", "The form expired or came from elsewhere; reload the page.")
        if view is None or request.endpoint == "static" or request.endpoint.endswith(".static"):
            return None  # Flask answers 404/405, or serves a static file
        access = access_of(view)
        if access is None:
            log.error("refused %s: route %s is not classified", request.path, request.endpoint)
            abort(403)
        if access.kind == "public":
            return None
        if g.principal is None:
            return _ask_to_sign_in(participant_sign_in_url if access.kind == PARTICIPANT else organiser_sign_in_url)
        if not access.admits(g.principal):
            abort(403)
        return None

    @app.after_request
    def keep_csrf_cookie(response):
        if request.cookies.get(CSRF_COOKIE) != g.get("csrf_token") and g.get("csrf_token"):
            response.set_cookie(CSRF_COOKIE, g.csrf_token, secure=secure_cookies, samesite="Strict", httponly=False,
                                path="/")
        return response


def _authenticate(verifier: TokenVerifier, revocations: RevocationList) -> tuple[Principal | None, bool]:
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        token, via_cookie = header[len("Bearer "):].strip(), False
    else:
        token, via_cookie = request.cookies.get(SESSION_COOKIE, ""), True
    if not token:
        return None, False
    try:
        principal = verifier.verify(token)
    except InvalidToken as error:
        log.info("refused a token: %s", error)
        return None, via_cookie
    if revocations.is_revoked(principal):
        return None, via_cookie
    return principal, via_cookie


def _ask_to_sign_in(sign_in_url: str):
    if request.path.startswith("/api/") or request.method != "GET":
        return error_response(401, "unauthorized", "Sign in first.")
    return redirect(f"{sign_in_url}?{urlencode({'next': request.url})}")


def set_session_cookie(response, token: str, *, max_age: int, secure: bool) -> None:
    response.set_cookie(SESSION_COOKIE, token, max_age=max_age, secure=secure, httponly=True, samesite="Lax",
                        path="/")


def clear_session_cookie(response, *, secure: bool) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", secure=secure, httponly=True, samesite="Lax")

"""What every service's HTTP layer does the same way: errors as JSON with field messages,
a correlation id per request, and the health endpoints."""
from __future__ import annotations

import logging
import re
import uuid

import sqlalchemy as sa
from flask import Flask, current_app, g, jsonify, render_template, request
from flask.sessions import SecureCookieSessionInterface
from marshmallow import Schema, ValidationError
from werkzeug.exceptions import BadRequest, HTTPException

from shared.errors import InvalidFields, StateConflict
from shared.logs import correlation_id

log = logging.getLogger(__name__)

CORRELATION_HTTP_HEADER = "X-Correlation-ID"
_SAFE_CORRELATION_ID = re.compile(r"^[A-Za-z0-9._:-]{1,100}$")
MAX_REQUEST_BYTES = 1024 * 1024


class ServiceUnavailable(Exception):
    """A dependency (database, broker) is down: the client may retry later."""


def _wants_page() -> bool:
    """A person's browser asking for a page, rather than a program calling the API."""
    return (not request.path.startswith("/api/") and request.method == "GET"
            and request.accept_mimetypes.accept_html)


def error_response(status: int, code: str, message: str, fields: dict | None = None):
    if _wants_page() and "ui" in current_app.blueprints:
        title = {401: "Please sign in", 403: "Not allowed", 404: "Not found", 429: "Too many requests"}.get(status, "Something went wrong")
        return render_template("ui/error.html", title=title, message=message, status=status,
                               reference=g.get("correlation_id")), status
    body = {"error": code, "message": message}
    if fields:
        body["fields"] = fields
    response = jsonify(body)
    response.status_code = status
    return response


def load_json(schema: Schema) -> dict:
    """The request body as `schema` loads it; anything else becomes a 4xx with field messages."""
    if not request.is_json:
        raise ValidationError({"_body": ["Send a JSON object with Content-Type: application/json."]})
    try:
        payload = request.get_json()
    except BadRequest:  # a too-large body is a 413 (RequestEntityTooLarge is no BadRequest) and passes
        raise ValidationError({"_body": ["The body is not valid JSON."]}) from None
    if not isinstance(payload, dict):
        raise ValidationError({"_body": ["The body must be a JSON object."]})
    with_nul = _paths_with_nul(payload)
    if with_nul:  # PostgreSQL cannot store one, and no person types one
        raise ValidationError({path: ["Must not contain NUL characters."] for path in with_nul})
    return schema.load(payload)


def _paths_with_nul(value, path: tuple = ()) -> list[str]:
    """Where in a decoded JSON document a string (or a key) holds a NUL character, as dotted paths."""
    if isinstance(value, str):
        return [".".join(map(str, path)) or "_body"] if "\x00" in value else []
    if isinstance(value, dict):
        return [found for key, item in value.items()
                for found in (_paths_with_nul(key, path) if "\x00" in key else _paths_with_nul(item, (*path, key)))]
    if isinstance(value, list):
        return [found for index, item in enumerate(value) for found in _paths_with_nul(item, (*path, index))]
    return []


def current_correlation_id() -> str:
    return g.correlation_id


class _FlashSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie session, which holds only flash messages here: a request without
    its cookie (every API call) gets an empty session without Flask building a signer for it."""

    def open_session(self, app, request):
        if self.get_cookie_name(app) not in request.cookies:
            return self.session_class()
        return super().open_session(app, request)


def configure_web(app: Flask) -> None:
    """Error handling and correlation ids for `app` (call once from the app factory)."""
    app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_CONTENT_LENGTH"] or MAX_REQUEST_BYTES
    app.session_interface = _FlashSessions()
    app.json.sort_keys = False

    @app.before_request
    def take_correlation_id():
        offered = request.headers.get(CORRELATION_HTTP_HEADER, "")
        g.correlation_id = offered if _SAFE_CORRELATION_ID.match(offered) else str(uuid.uuid4())
        correlation_id.set(g.correlation_id)

    @app.before_request
    def refuse_nul_in_the_url():
        """A NUL character in the path or query is never meant (and PostgreSQL cannot compare with one)."""
        if "\x00" in request.path or any("\x00" in key or "\x00" in value
                                          for key, value in request.args.items(multi=True)):
            return error_response(400, "bad_request", "The address contains a NUL character.")
        return None

    @app.after_request
    def echo_correlation_id(response):
        if "correlation_id" in g:
            response.headers[CORRELATION_HTTP_HEADER] = g.correlation_id
        return response

    @app.errorhandler(ValidationError)
    def invalid_input(error: ValidationError):
        messages = error.messages if isinstance(error.messages, dict) else {"_body": error.messages}
        return error_response(422, "validation_failed", "Some fields are missing or invalid.", messages)

    @app.errorhandler(InvalidFields)
    def rule_broken(error: InvalidFields):
        return error_response(422, "validation_failed", "Some fields are missing or invalid.", error.errors)

    @app.errorhandler(StateConflict)
    def state_conflict(error: StateConflict):
        return error_response(409, "conflict", str(error))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        return error_response(error.code or 500, error.name.lower().replace(" ", "_"), error.description or error.name)

    @app.errorhandler(ServiceUnavailable)
    @app.errorhandler(sa.exc.OperationalError)
    @app.errorhandler(sa.exc.InterfaceError)
    @app.errorhandler(sa.exc.TimeoutError)
    def dependency_down(error):
        log.warning("dependency unavailable: %s", error)
        response = error_response(503, "service_unavailable", "The service is temporarily unavailable; retry shortly.")
        response.headers["Retry-After"] = "5"
        return response

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        log.exception("unhandled error")
        return error_response(500, "internal_error",
                              f"Something went wrong on our side (reference {g.get('correlation_id', '-')}).")

"""Each service's OpenAPI document, generated from the marshmallow schemas its JSON routes declare.

A JSON route states what it takes and what it gives with `@documented(...)`, beside its
access decorator:

    @api.post("/registrations")
    @public
    @rate_limited
    @documented("Register an organisation", body=RegistrationIn, responses={201: SubmittedOut})
    def submit_registration(): ...

`new_service_app` serves the document at `GET /api/v1/openapi.json` (public), built from the
app's URL map: every documented view, its path parameters (typed by their URL converters), its
access (signed-in routes need a bearer token) and, besides the responses it declares, the
answers every route of this platform may give, so a client (or a fuzzer) can rely on them:

- 400 when the request is malformed (always; e.g. a NUL character in its address);
- 422 with field messages when it takes a body or query (marshmallow or a domain rule refused it);
- 401 and 403 when it is not public (no valid token; the wrong kind of caller or role);
- 404 when its path has parameters (no such thing, or a malformed id);
- 429 when it is rate limited (`@rate_limited`), 503 when a dependency is down (always);
- 414 when its address can be made too long (a query, or a path parameter of free text):
  gunicorn refuses a request line above about 4 KB with a page of its own, before any route runs.

Every error has the shape `ErrorOut`. A service gets its document by declaring its routes;
nothing else is needed (tests/platform/test_openapi.py lists the services whose every API
route must be declared, and fuzzes them with schemathesis).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint, Flask, current_app, jsonify, request
from marshmallow import Schema, fields

from shared.access import access_of, public
from shared.schema_fields import Text

OPENAPI_PATH = "/api/v1/openapi.json"
OPENAPI_VERSION = "3.0.3"
JSON = "application/json"
BEARER = "bearer"

SchemaLike = type[Schema] | Schema


class ErrorOut(Schema):
    """What every error answer carries (shared/web.py error_response)."""

    error = fields.String(required=True, metadata={"description": "A machine-readable code, e.g. validation_failed."})
    message = fields.String(required=True, metadata={"description": "What went wrong, for a person."})
    fields_ = fields.Dict(data_key="fields", keys=fields.String(), values=fields.Raw(),
                          metadata={"description": "Per field, what is wrong with it."})


@dataclass(frozen=True)
class Body:
    """A body of another media type than JSON, e.g. `Body("text/csv")` or `Body("text/calendar")`."""

    media_type: str
    schema: SchemaLike | None = None


@dataclass(frozen=True)
class Header:
    """A request header a route reads, e.g. `Header("Repeats with the same key count once.", max_length=60)`."""

    description: str
    required: bool = False
    max_length: int | None = None


@dataclass(frozen=True)
class ApiDoc:
    summary: str
    body: SchemaLike | Body | None = None
    query: SchemaLike | None = None
    responses: dict[int, SchemaLike | Body | None] = field(default_factory=dict)
    headers: dict[int, dict[str, str]] = field(default_factory=dict)
    request_headers: dict[str, Header] = field(default_factory=dict)


def documented(summary: str, *, body: SchemaLike | Body | None = None, query: SchemaLike | None = None,
               responses: dict[int, SchemaLike | Body | None],
               headers: dict[int, dict[str, str]] | None = None,
               request_headers: dict[str, Header] | None = None) -> Callable:
    """Declare a JSON route for the service's OpenAPI document.

    - `body`: the schema its JSON body is loaded with (or a `Body` of another media type).
    - `query`: a schema of its query parameters (each field one parameter).
    - `responses`: status -> the schema of its JSON answer (`None`: no body, e.g. 204; `Body`:
      another media type). Declare the successes and the refusals particular to the route
      (409, 410...): the ones every route may give are added (see the module's docstring).
    - `headers`: status -> {header: description} it sets, e.g. {201: {"Location": "..."}}.
    - `request_headers`: header -> `Header`, the ones it reads (e.g. Idempotency-Key, a signature).
    """
    doc = ApiDoc(summary=summary, body=body, query=query, responses=dict(responses), headers=dict(headers or {}),
                 request_headers=dict(request_headers or {}))

    def mark(view):
        view.api_doc = doc
        return view
    return mark


def api_doc_of(view) -> ApiDoc | None:
    return getattr(view, "api_doc", None)


def _text_length(self, field_obj, **_) -> dict:
    """`Text` keeps its bounds as attributes, not validators: show them."""
    if isinstance(field_obj, Text):
        return {"minLength": field_obj.min_length, "maxLength": field_obj.max_length}
    return {}


_CONVERTER_SCHEMAS = {
    "uuid": {"type": "string", "format": "uuid"},
    "int": {"type": "integer", "minimum": 0},
    "default": {"type": "string", "pattern": "^[^/]+$"},
    "string": {"type": "string", "pattern": "^[^/]+$"},
    "path": {"type": "string"},
}
# The answers every route may give, as shared components: status -> (name, description).
_STANDARD_ANSWERS = {
    400: ("BadRequest", "The request is malformed (e.g. a NUL character in its address)."),
    401: ("NotSignedIn", "Not signed in, or the token is invalid, expired or revoked."),
    403: ("NotAllowed", "Signed in, but not allowed (wrong kind of caller or role)."),
    404: ("NotFound", "No such resource."),
    422: ("InvalidInput", "The request was refused: see `fields` for what is wrong with each field."),
    429: ("TooManyRequests", "Too many requests from this address: see Retry-After."),
    503: ("Unavailable", "A dependency (database, broker) is down: retry after Retry-After seconds."),
}
# gunicorn's own answer (HTML, not ErrorOut) to a request line above its limit_request_line.
_URI_TOO_LONG = ("UriTooLong", "The address is longer than the server accepts (about 4 KB): the web server's page.")
_BOUNDED_CONVERTERS = ("uuid", "int")
_DESCRIPTIONS = {200: "OK", 201: "Created", 202: "Accepted", 204: "No content", 409: "Refused in the current state",
                 410: "Gone"}


def build_openapi(app: Flask, title: str) -> dict:
    """The OpenAPI document of `app`'s documented routes (without `servers`, which depend on the caller)."""
    plugin = MarshmallowPlugin()
    spec = APISpec(title=title, version="v1", openapi_version=OPENAPI_VERSION, plugins=[plugin])
    plugin.converter.add_attribute_function(_text_length)
    spec.components.schema("ErrorOut", schema=ErrorOut)
    spec.components.security_scheme(BEARER, {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"})
    for status, (name, description) in _STANDARD_ANSWERS.items():
        spec.components.response(name, _response(status, description, ErrorOut, {}))
    spec.components.response(_URI_TOO_LONG[0], _response(414, _URI_TOO_LONG[1], Body("text/html"), {}))
    paths: dict[str, dict] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        view = app.view_functions[rule.endpoint]
        doc = api_doc_of(view)
        if doc is None:
            continue
        path, parameters = _openapi_path(rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation(rule, view, doc, parameters, method)
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()


_RULE_VARIABLE = re.compile(r"<(?:(?P<converter>[a-z]+)(?:\([^)]*\))?:)?(?P<name>[a-zA-Z_][a-zA-Z0-9_]*)>")


def _openapi_path(rule) -> tuple[str, list[dict]]:
    """`/a/<uuid:id>` -> `/a/{id}` and its parameter, typed by the URL converter."""
    parameters = [{"name": match["name"], "in": "path", "required": True,
                   "schema": _CONVERTER_SCHEMAS.get(match["converter"] or "default", {"type": "string"})}
                  for match in _RULE_VARIABLE.finditer(rule.rule)]
    return _RULE_VARIABLE.sub(r"{\g<name>}", rule.rule), parameters


def _operation(rule, view, doc: ApiDoc, parameters: list[dict], method: str) -> dict:
    access = access_of(view)
    operation: dict = {"summary": doc.summary, "operationId": f"{rule.endpoint}.{method.lower()}",
                       "tags": [rule.endpoint.split(".")[0]], "x-access": access.kind if access else None}
    operation["parameters"] = list(parameters)
    if doc.query is not None:
        operation["parameters"].append({"in": "query", "schema": doc.query})
    for name, header in doc.request_headers.items():
        schema = {"type": "string", **({"maxLength": header.max_length} if header.max_length else {})}
        operation["parameters"].append({"in": "header", "name": name, "required": header.required,
                                        "description": header.description, "schema": schema})
    if not operation["parameters"]:
        del operation["parameters"]
    if doc.body is not None:
        media_type, schema = (doc.body.media_type, doc.body.schema) if isinstance(doc.body, Body) else (JSON, doc.body)
        operation["requestBody"] = {"required": True,
                                    "content": {media_type: {"schema": schema or {"type": "string"}}}}
    answers: dict[int, SchemaLike | Body | None] = dict(doc.responses)
    standard = {400, 503}
    if doc.body is not None or doc.query is not None:
        standard.add(422)
    if access is None or access.kind != "public":
        standard |= {401, 403}
        operation["security"] = [{BEARER: []}]
    if parameters:
        standard.add(404)
    if getattr(view, "rate_limited", False):
        standard.add(429)
    converters = [match["converter"] or "default" for match in _RULE_VARIABLE.finditer(rule.rule)]
    if doc.query is not None or any(converter not in _BOUNDED_CONVERTERS for converter in converters):
        standard.add(414)
    responses = {}
    for status in sorted(set(answers) | standard):
        if status in answers:
            description = _DESCRIPTIONS.get(status) or _STANDARD_ANSWERS.get(status, ("", str(status)))[1]
            responses[str(status)] = _response(status, description, answers[status], doc.headers.get(status, {}))
        elif status == 414:
            responses[str(status)] = _URI_TOO_LONG[0]
        else:
            responses[str(status)] = _STANDARD_ANSWERS[status][0]  # apispec makes it a $ref
    operation["responses"] = responses
    return operation


def _response(status: int, description: str, answer: SchemaLike | Body | None, headers: dict[str, str]) -> dict:
    response: dict = {"description": description}
    if answer is not None:
        media_type, schema = (answer.media_type, answer.schema) if isinstance(answer, Body) else (JSON, answer)
        response["content"] = {media_type: {"schema": schema or {"type": "string"}}}
    if status in (429, 503):
        headers = {"Retry-After": "Seconds to wait before retrying.", **headers}
    if headers:
        response["headers"] = {name: {"description": text, "schema": {"type": "string"}}
                               for name, text in headers.items()}
    return response


def openapi_blueprint(title: str) -> Blueprint:
    """`GET /api/v1/openapi.json`: the document, built once per process, with this server's address."""
    blueprint = Blueprint("openapi", __name__)
    built: dict[str, dict] = {}

    @blueprint.get(OPENAPI_PATH)
    @public
    def openapi_document():
        if "document" not in built:
            built["document"] = build_openapi(current_app, title)
        server = request.host_url.rstrip("/") + request.script_root
        return jsonify({**built["document"], "servers": [{"url": server}]})

    return blueprint

"""Registration's HTTP entrypoint: the app factory and its routes."""
from __future__ import annotations

from flask import Blueprint, Flask, current_app, jsonify, request, url_for

from services.registration import service
from services.registration.adapters import repository
from services.registration.bootstrap import Registration, bootstrap
from services.registration.domain import model
from services.registration.web.schemas import RegistrationIn, SubmittedOut
from shared.errors import InvalidFields
from shared.logs import configure_logging
from shared.web import current_correlation_id, load_json, new_service_app

api = Blueprint("registration_api", __name__, url_prefix="/api/v1")
_registration_in = RegistrationIn()
_submitted_out = SubmittedOut()


def _wiring() -> Registration:
    return current_app.extensions["registration"]


@api.post("/registrations")
def submit_registration():
    data = load_json(_registration_in)
    registration = model.Registration.submit(
        organisation=data["organisation"], delegates=data["delegates"],
        meeting_interests=[model.MeetingInterest(i) for i in data["meeting_interests"]],
        participation_interests=[model.ParticipationInterest(i) for i in data["participation_interests"]])
    wiring = _wiring()
    submitted = service.submit_registration(
        wiring.engine, wiring.contracts, registration,
        client_request_id=_idempotency_key(), correlation_id=current_correlation_id())
    response = jsonify(_submitted_out.dump(submitted))
    response.status_code = 200 if submitted.replayed else 201
    response.headers["Location"] = url_for(".registration_status", registration_id=submitted.registration_id)
    return response


@api.get("/registrations/<uuid:registration_id>/status")
def registration_status(registration_id):
    with _wiring().engine.connect() as connection:
        row = repository.summary(connection, str(registration_id))
    if row is None:
        return jsonify(error="not_found", message="No such registration."), 404
    return jsonify(id=row.id, reference=row.reference, status=row.status)


def _idempotency_key() -> str | None:
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        return None
    if len(key) > 100:
        raise InvalidFields({"Idempotency-Key": ["Must be at most 100 characters."]})
    return key


def create_app(wiring: Registration | None = None) -> Flask:
    configure_logging("services.registration")
    wiring = wiring or bootstrap()
    app = new_service_app(__name__, engine=wiring.engine, kafka=wiring.kafka)
    app.extensions["registration"] = wiring
    app.register_blueprint(api)
    return app

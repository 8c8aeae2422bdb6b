"""Registration's JSON API: public registration and sign-in, participants' own data, organisers' vetting."""
from __future__ import annotations

import dataclasses
from datetime import datetime, timezone

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify, request, url_for
from werkzeug.exceptions import NotFound

from services.registration import badge_desk, identity, roster, self_service, service
from services.registration.adapters import queries, repository
from services.registration.adapters.tables import officers
from services.registration.bootstrap import Registration
from services.registration.domain import model
from services.registration.domain.badges import InvalidBadge
from services.registration.domain.editions import Edition
from services.registration.domain.officers import COLUMNS as OFFICER_COLUMNS
from services.registration.domain.officers import build_officer
from services.registration.domain.vetting import Decision
from services.registration.web.schemas import (
    AccessLinkIn, BulkApproveIn, BulkApproveOut, CancelledOut, CheckedInOut, CheckInIn, CreatedOut, DecisionIn, DecisionOut,
    DelegateIn, EditionIn, EditionsOut, MeOut, MessageOut, OfficerBodyIn, OfficerSavedOut, OfficersOut, OrganisationIn,
    OrganiserIn, OrganisersOut, OrganiserUpdateIn, RegistrationIn, RegistrationsOut, RegistrationsQuery,
    RegistrationStatusOut, RosterImportedOut, RosterRefusedOut, SavedEditionOut, SignInIn, StatusOut, SubmittedOut,
    TokenOut)
from shared.access import current_principal, organiser, participant, public, signed_in
from shared.errors import InvalidFields, StateConflict
from shared.openapi import Body, ErrorOut, documented
from shared.service_app import rate_limited
from shared.web import current_correlation_id, error_response, load_json

api = Blueprint("registration_api", __name__, url_prefix="/api/v1")
_registration_in, _submitted_out = RegistrationIn(), SubmittedOut()


def wiring() -> Registration:
    return current_app.extensions["registration"]


def public_url() -> str:
    return current_app.config["WEB_SETTINGS"].service_urls["registration"]


@api.post("/registrations")
@public
@rate_limited
@documented("Register an organisation and its delegates (an Idempotency-Key header makes a retry register once)",
            body=RegistrationIn, responses={201: SubmittedOut, 200: SubmittedOut},
            headers={201: {"Location": "Where to follow its status."}, 200: {"Location": "Where to follow its status."}})
def submit_registration():
    submitted = register(load_json(_registration_in), client_request_id=_idempotency_key())
    response = jsonify(_submitted_out.dump(submitted))
    response.status_code = 200 if submitted.replayed else 201
    response.headers["Location"] = url_for(".registration_status", registration_id=submitted.registration_id)
    return response


def register(data: dict, *, client_request_id: str | None) -> service.Submitted:
    """A registration loaded by RegistrationIn, from the JSON API or the web form alike."""
    edition = wiring().editions.by_slug(data["edition"])
    if edition is None:
        raise InvalidFields({"edition": ["No such edition."]})
    registration = model.Registration.submit(
        edition, organisation=data["organisation"], delegates=data["delegates"],
        meeting_interests=[model.MeetingInterest(i) for i in data["meeting_interests"]],
        participation_interests=[model.ParticipationInterest(i) for i in data["participation_interests"]],
        now=datetime.now(timezone.utc))
    return service.submit_registration(wiring().engine, wiring().contracts, wiring().personal_data, registration,
                                       client_request_id=client_request_id, verify_url=f"{public_url()}/verify",
                                       correlation_id=current_correlation_id())


def save_edition(edition: Edition) -> Edition:
    saved = service.save_edition(wiring().engine, wiring().contracts, edition, actor=current_principal(),
                                 correlation_id=current_correlation_id())
    wiring().editions.forget(saved.slug)
    return saved


@api.get("/registrations/<uuid:registration_id>/status")
@public
@documented("A registration's status, by its id", responses={200: RegistrationStatusOut})
def registration_status(registration_id):
    with wiring().engine.connect() as connection:
        row = repository.summary(connection, str(registration_id))
    if row is None:
        return error_response(404, "not_found", "No such registration.")
    return jsonify(id=row.id, reference=row.reference, status=row.status)


def _idempotency_key() -> str | None:
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        return None
    if len(key) > 100:
        raise InvalidFields({"Idempotency-Key": ["Must be at most 100 characters."]})
    return key


@api.post("/auth/token")
@public
@rate_limited
@documented("An organiser's API token, for their email and password", body=SignInIn,
            responses={200: TokenOut, 401: ErrorOut})
def organiser_token():
    """An API token for an organiser (the pages use the session cookie instead)."""
    data = load_json(SignInIn())
    try:
        session = identity.sign_in_organiser(wiring(), data["email"], data["password"])
    except identity.SignInRefused:
        return error_response(401, "sign_in_refused", "Wrong email or password.")
    return jsonify(token=session.token, expires_at=session.expires_at.isoformat())


@api.post("/auth/sign-out")
@signed_in
@documented("Sign out: every token of the caller stops working", responses={204: None})
def sign_out():
    identity.sign_out(wiring(), current_principal(), current_correlation_id())
    return "", 204


@api.post("/access-links")
@public
@rate_limited
@documented("Email a sign-in link to an approved participant (the answer never tells whether one exists)",
            body=AccessLinkIn, responses={202: MessageOut})
def request_access_link():
    data = load_json(AccessLinkIn())
    identity.request_access_link(wiring(), data["email"], link_base_url=public_url(),
                                 correlation_id=current_correlation_id())
    return jsonify(message="If this address belongs to an approved participant, a sign-in link is on its way."), 202


@api.get("/me")
@participant
@documented("The caller's own registration and delegation (or roster entry, for an officer)", responses={200: MeOut})
def my_registration():
    me = current_principal()
    if me.officer:
        with wiring().engine.connect() as connection:
            row = connection.execute(sa.select(officers).where(officers.c.id == me.subject)).first()
        return jsonify(officer=_officer_view(row))
    registration, people = queries.registration_detail(wiring().engine, me.registration_id)
    if registration is None:
        raise NotFound("Your registration no longer exists.")
    return jsonify(registration=_registration_view(registration), delegates=[dict(p._mapping) for p in people],
                   me={"delegate_id": me.subject, "name": me.name})


def _registration_view(row) -> dict:
    return {"id": row.id, "reference": row.reference, "status": row.status, "legal_name": row.legal_name,
            "organisation_type": row.organisation_type, "state": row.state, "country": row.country,
            "submitted_at": row.submitted_at.isoformat()}


@api.get("/registrations")
@organiser("vetting", read_only=True)
@documented("Registrations, newest first (at most 200)", query=RegistrationsQuery, responses={200: RegistrationsOut})
def list_registrations():
    rows = queries.registration_list(wiring().engine, status=request.args.get("status"),
                                     search=request.args.get("q"))
    return jsonify(registrations=[{**dict(r._mapping), "submitted_at": r.submitted_at.isoformat()} for r in rows])


@api.post("/registrations/<uuid:registration_id>/decision")
@organiser("vetting")
@documented("Approve, waitlist, ask for changes or reject a registration", body=DecisionIn,
            responses={200: DecisionOut, 409: ErrorOut})
def decide(registration_id):
    data = load_json(DecisionIn())
    outcome = service.decide(wiring().engine, wiring().contracts, registration_id=str(registration_id),
                             decision=Decision(data["decision"]), message=data["message"], actor=current_principal(),
                             access_url=f"{public_url()}/access", correlation_id=current_correlation_id())
    return jsonify(id=str(registration_id), status=outcome.status.value, note=outcome.note)


@api.post("/registrations/bulk-approve")
@organiser("vetting")
@documented("Approve several registrations, each on its own", body=BulkApproveIn, responses={200: BulkApproveOut})
def bulk_approve():
    """Each registration on its own: one that cannot be approved does not hold back the rest."""
    results = []
    for registration_id in load_json(BulkApproveIn())["registration_ids"]:
        try:
            outcome = service.decide(wiring().engine, wiring().contracts, registration_id=str(registration_id),
                                     decision=Decision.APPROVE, message=None, actor=current_principal(),
                                     access_url=f"{public_url()}/access", correlation_id=current_correlation_id())
            results.append({"id": str(registration_id), "status": outcome.status.value, "note": outcome.note})
        except StateConflict as refusal:
            results.append({"id": str(registration_id), "error": str(refusal)})
    return jsonify(results=results)


@api.post("/registrations/<uuid:registration_id>/cancel")
@organiser("vetting")
@documented("Cancel a registration (the longest-waiting of its category may be approved instead)",
            responses={200: CancelledOut, 409: ErrorOut})
def cancel_registration(registration_id):
    promoted = service.cancel(wiring().engine, wiring().contracts, registration_id=str(registration_id),
                              actor=current_principal(), access_url=f"{public_url()}/access",
                              correlation_id=current_correlation_id())
    return jsonify(id=str(registration_id), status="cancelled", promoted_from_waitlist=promoted)


@api.post("/me/cancel")
@participant
@documented("Cancel the caller's own registration", responses={200: CancelledOut, 409: ErrorOut})
def cancel_my_registration():
    me = current_principal()
    service.cancel(wiring().engine, wiring().contracts, registration_id=_my_registration_id(), actor=me,
                   access_url=f"{public_url()}/access", correlation_id=current_correlation_id())
    return jsonify(id=me.registration_id, status="cancelled")


@api.get("/editions")
@public
@documented("Every edition", responses={200: EditionsOut})
def list_editions():
    with wiring().engine.connect() as connection:
        rows = repository.all_editions(connection)
    return jsonify(editions=[{"id": r.id, "slug": r.slug, "name": r.name, "venue": r.venue,
                              "starts_on": r.starts_on.isoformat(), "ends_on": r.ends_on.isoformat(),
                              "registration_opens_at": r.registration_opens_at.isoformat(),
                              "registration_closes_at": r.registration_closes_at.isoformat()} for r in rows])


@api.post("/editions")
@organiser("admin")
@documented("Create an edition", body=EditionIn, responses={201: SavedEditionOut, 409: ErrorOut})
def create_edition():
    edition = save_edition(load_json(EditionIn()))
    return jsonify(id=edition.id, slug=edition.slug), 201


@api.put("/editions/<uuid:edition_id>")
@organiser("admin")
@documented("Change an edition", body=EditionIn, responses={200: SavedEditionOut, 409: ErrorOut})
def update_edition(edition_id):
    edition = save_edition(dataclasses.replace(load_json(EditionIn()), id=str(edition_id)))
    return jsonify(id=edition.id, slug=edition.slug)


@api.get("/organisers")
@organiser("admin")
@documented("Every organiser account", responses={200: OrganisersOut})
def list_organisers():
    return jsonify(organisers=[{"id": a.id, "email": a.email, "name": a.name, "roles": sorted(a.roles),
                                "active": a.active} for a in identity.list_organisers(wiring())])


@api.post("/organisers")
@organiser("admin")
@documented("Create an organiser account", body=OrganiserIn, responses={201: CreatedOut})
def create_organiser():
    data = load_json(OrganiserIn())
    account_id = identity.create_organiser(wiring(), actor=current_principal(), email=data["email"],
                                           name=data["name"], roles=data["roles"], password=data["password"],
                                           correlation_id=current_correlation_id())
    return jsonify(id=account_id), 201


@api.put("/organisers/<uuid:account_id>")
@organiser("admin")
@documented("Change an organiser's roles or disable them", body=OrganiserUpdateIn,
            responses={204: None, 409: ErrorOut})
def update_organiser(account_id):
    data = load_json(OrganiserUpdateIn())
    identity.update_organiser(wiring(), actor=current_principal(), account_id=str(account_id), roles=data["roles"],
                              active=data["active"], correlation_id=current_correlation_id())
    return "", 204


def _edition_or_404(slug: str):
    edition = service.find_edition(wiring().engine, slug)
    if edition is None:
        raise NotFound("No such edition.")
    return edition


def _officer_view(row) -> dict:
    return {"id": row.id, "name": row.name, "rank": row.rank, "organisation": row.organisation,
            "appointment": row.appointment, "email": row.email, "phone": row.phone, "sectors": row.sectors,
            "requirements": row.requirements}


@api.get("/editions/<slug>/officers")
@organiser("vetting", "matchmaking", read_only=True)
@documented("An edition's officer roster", responses={200: OfficersOut})
def list_officers(slug):
    return jsonify(officers=[_officer_view(row) for row in roster.roster_of(wiring().engine, _edition_or_404(slug).id)])


@api.post("/editions/<slug>/officers")
@organiser("vetting", "matchmaking")
@documented("Add an officer to the roster, or update them (by email)", body=OfficerBodyIn,
            responses={201: OfficerSavedOut, 200: OfficerSavedOut, 422: ErrorOut})
def add_officer(slug):
    edition = _edition_or_404(slug)
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        raise InvalidFields({"_body": ["Send the officer as a JSON object."]})
    officer = build_officer({key: payload.get(key) if key != "sectors" else ";".join(payload.get("sectors") or [])
                             for key in OFFICER_COLUMNS})
    with wiring().engine.begin() as connection:
        outcome = roster.save_officer(connection, wiring().contracts, edition.id, officer, actor=current_principal(),
                                      correlation_id=current_correlation_id())
    return jsonify(result=outcome), 201 if outcome == "added" else 200


@api.post("/editions/<slug>/officers/import")
@organiser("vetting", "matchmaking")
@documented("Import the roster from CSV (all rows or none)", body=Body("text/csv"),
            responses={200: RosterImportedOut, 422: RosterRefusedOut})
def import_officers(slug):
    """The roster as CSV: the request body (text/csv) or an uploaded file named `file`."""
    edition = _edition_or_404(slug)
    upload = request.files.get("file")
    raw = upload.read() if upload else request.get_data()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidFields({"file": ["The file is not UTF-8 text; save the spreadsheet as CSV UTF-8."]}) from None
    result = roster.import_roster(wiring().engine, wiring().contracts, edition.id, text, actor=current_principal(),
                                  correlation_id=current_correlation_id())
    if result.errors:
        return jsonify(error="invalid_roster", message="Nothing was imported: fix these rows and import again.",
                       rows=[{"line": e.line, "errors": e.errors} for e in result.errors]), 422
    return jsonify(added=result.added, updated=result.updated, unchanged=result.unchanged)


@api.delete("/officers/<uuid:officer_id>")
@organiser("vetting", "matchmaking")
@documented("Remove an officer from the roster", responses={204: None, 409: ErrorOut})
def remove_officer(officer_id):
    roster.remove_officer(wiring().engine, wiring().contracts, str(officer_id), actor=current_principal(),
                          correlation_id=current_correlation_id())
    return "", 204


def _my_registration_id() -> str:
    me = current_principal()
    if me.officer:
        raise StateConflict("Officers are on the roster, not registered: ask the organisers.")
    return me.registration_id


@api.put("/me/organisation")
@participant
@documented("Correct the caller's organisation (a new identity goes back to vetting)", body=OrganisationIn,
            responses={200: StatusOut, 409: ErrorOut})
def update_my_organisation():
    status = self_service.update_organisation(
        wiring().engine, wiring().contracts, registration_id=_my_registration_id(),
        organisation=load_json(OrganisationIn()), actor=current_principal(), correlation_id=current_correlation_id())
    return jsonify(status=status)


@api.post("/me/delegates")
@participant
@documented("Add a delegate to the caller's delegation", body=DelegateIn, responses={201: CreatedOut, 409: ErrorOut})
def add_my_delegate():
    registration_id = _my_registration_id()
    delegate = load_json(DelegateIn())
    self_service.add_delegate(wiring().engine, wiring().contracts, wiring().personal_data,
                              registration_id=registration_id, delegate=delegate,
                              actor=current_principal(), verify_url=f"{public_url()}/verify",
                              correlation_id=current_correlation_id())
    return jsonify(id=delegate.id), 201


@api.put("/me/delegates/<uuid:delegate_id>")
@participant
@documented("Replace one of the caller's delegates", body=DelegateIn, responses={200: CreatedOut, 409: ErrorOut})
def substitute_my_delegate(delegate_id):
    delegate = load_json(DelegateIn())
    self_service.substitute_delegate(wiring().engine, wiring().contracts, wiring().personal_data,
                                     registration_id=_my_registration_id(),
                                     delegate_id=str(delegate_id), delegate=delegate, actor=current_principal(),
                                     verify_url=f"{public_url()}/verify", correlation_id=current_correlation_id())
    return jsonify(id=delegate.id)


@api.delete("/me/delegates/<uuid:delegate_id>")
@participant
@documented("Remove one of the caller's delegates", responses={204: None, 409: ErrorOut})
def remove_my_delegate(delegate_id):
    self_service.remove_delegate(wiring().engine, wiring().contracts, registration_id=_my_registration_id(),
                                 delegate_id=str(delegate_id), actor=current_principal(),
                                 correlation_id=current_correlation_id())
    return "", 204


@api.post("/check-ins")
@organiser("vetting", "matchmaking", "finance")
@documented("Scan a badge at the venue: the first scan checks its holder in", body=CheckInIn,
            responses={200: CheckedInOut, 410: ErrorOut, 422: ErrorOut})
def check_in():
    """Venue staff scan a badge: the first scan checks its holder in."""
    data = load_json(CheckInIn())
    try:
        result = badge_desk.check_in(wiring().engine, wiring().contracts, wiring().badge_signer, data["code"],
                                      actor=current_principal(), correlation_id=current_correlation_id())
    except InvalidBadge as refusal:
        return error_response(422, "invalid_badge", str(refusal))
    except badge_desk.BadgeRefused as refusal:
        return error_response(410, "badge_revoked", str(refusal))
    return jsonify(status="checked_in" if result.first_time else "already_checked_in", full_name=result.full_name,
                   organisation=result.organisation, role=result.role_label,
                   checked_in_at=result.checked_in_at.isoformat())

"""Matchmaking's JSON API: participants' recommendations, requests, availability and agenda;
organisers' frame, scheduler runs and hand placements."""
from __future__ import annotations

import dataclasses

from flask import Blueprint, Response, current_app, jsonify
from werkzeug.exceptions import NotFound

from services.matchmaking import meetings, scheduling_desk
from services.matchmaking.adapters import queries, repository
from services.matchmaking.adapters.calendar import agenda_calendar
from services.matchmaking.bootstrap import Matchmaking
from services.matchmaking.domain.frame import Frame
from services.matchmaking.domain.recommendations import recommend
from services.matchmaking.web.schemas import (
    AcceptIn, AgendaOut, AvailabilityIn, AvailabilityOut, FrameIn, FrameOut, MyRequestsOut, PinnedOut, PlacedOut, PlaceIn,
    PublishedOut, ReasonIn, RecommendationsOut, RequestIn, RequestStatusOut, RunIn, RunOut, RunQueuedOut, ScheduleOut)
from shared.access import current_principal, organiser, participant
from shared.openapi import Body, ErrorOut, documented
from shared.web import current_correlation_id, error_response, load_json

api = Blueprint("matchmaking_api", __name__, url_prefix="/api/v1")


def wiring() -> Matchmaking:
    return current_app.extensions["matchmaking"]


def my_party() -> str:
    return meetings.party_of(current_principal())


def my_edition() -> str:
    edition_id = queries.edition_of_party(wiring().engine, my_party())
    if edition_id is None:
        raise NotFound("You are not taking part in matchmaking yet (your organisation awaits approval).")
    return edition_id


def recommendations_for(party: str, edition_id: str, limit: int = 20):
    everyone = queries.profiles(wiring().engine, edition_id)
    me = next((p for p in everyone if p.key == party), None)
    if me is None:
        return []
    # Officers meet companies; companies meet officers and other companies.
    candidates = [p for p in everyone if p.kind == "company"] if me.kind == "officer" else everyone
    return recommend(me, candidates, limit=limit)


@api.get("/me/recommendations")
@participant
@documented("Officers and companies that fit the caller, best first", responses={200: RecommendationsOut})
def my_recommendations():
    found = recommendations_for(my_party(), my_edition())
    return jsonify(recommendations=[{"key": r.key, "kind": r.kind, "name": r.name, "score": r.score,
                                     "shared_sectors": list(r.shared_sectors), "matching_terms": list(r.matching_terms),
                                     "reasons": r.reasons} for r in found])


def _request_view(row, names: dict[str, str]) -> dict:
    return {"id": row.id, "kind": row.kind, "status": row.status, "requester": row.requester,
            "requester_name": names.get(row.requester), "receiver": row.receiver,
            "receiver_name": names.get(row.receiver), "agenda": row.agenda, "part_of_day": row.part_of_day,
            "starred": row.starred, "decline_reason": row.decline_reason, "cancel_reason": row.cancel_reason,
            "respond_by": row.respond_by.isoformat(), "created_at": row.created_at.isoformat()}


@api.get("/me/requests")
@participant
@documented("Meeting requests the caller received and sent", responses={200: MyRequestsOut})
def my_requests():
    received, sent, names = queries.requests_of(wiring().engine, my_party())
    return jsonify(received=[_request_view(r, names) for r in received], sent=[_request_view(r, names) for r in sent])


@api.post("/requests")
@participant
@documented("Ask an officer (B2G) or a company (B2B) for a meeting", body=RequestIn,
            responses={201: RequestStatusOut, 409: ErrorOut})
def create_request():
    data = load_json(RequestIn())
    request_id = meetings.request_meeting(wiring().engine, wiring().contracts, current_principal(),
                                          meetings.NewRequest(**data), correlation_id=current_correlation_id())
    return jsonify(id=request_id, status="pending"), 201


@api.post("/requests/<uuid:request_id>/accept")
@participant
@documented("Accept a meeting request addressed to the caller", body=AcceptIn,
            responses={200: RequestStatusOut, 409: ErrorOut})
def accept_request(request_id):
    data = load_json(AcceptIn())
    status = meetings.answer_request(wiring().engine, wiring().contracts, current_principal(), str(request_id),
                                     accept=True, starred=data["starred"], correlation_id=current_correlation_id())
    return jsonify(id=str(request_id), status=status)


@api.post("/requests/<uuid:request_id>/decline")
@participant
@documented("Decline a meeting request addressed to the caller", body=ReasonIn,
            responses={200: RequestStatusOut, 409: ErrorOut})
def decline_request(request_id):
    data = load_json(ReasonIn())
    status = meetings.answer_request(wiring().engine, wiring().contracts, current_principal(), str(request_id),
                                     accept=False, reason=data["reason"], correlation_id=current_correlation_id())
    return jsonify(id=str(request_id), status=status)


@api.post("/requests/<uuid:request_id>/cancel")
@participant
@documented("Cancel a request or meeting the caller is part of", body=ReasonIn,
            responses={200: RequestStatusOut, 409: ErrorOut})
def cancel_my_request(request_id):
    data = load_json(ReasonIn())
    meetings.cancel_request(wiring().engine, wiring().contracts, current_principal(), str(request_id),
                            reason=data["reason"], correlation_id=current_correlation_id())
    return jsonify(id=str(request_id), status="cancelled")


@api.get("/me/availability")
@participant
@documented("The schedule's slots and whether the caller can meet in each", responses={200: AvailabilityOut})
def my_availability():
    edition_id = my_edition()
    with wiring().engine.connect() as connection:
        frame = repository.frame_of(connection, edition_id)
        away = scheduling_desk.unavailable_of(connection, my_party())
    slots = frame.slots if frame else ()
    return jsonify(slots=[{"starts_at": s.starts_at.isoformat(), "ends_at": s.ends_at.isoformat(),
                           "available": s.starts_at not in away} for s in slots])


@api.put("/me/availability")
@participant
@documented("Say in which slots the caller cannot meet", body=AvailabilityIn,
            responses={200: AvailabilityOut, 409: ErrorOut})
def set_my_availability():
    data = load_json(AvailabilityIn())
    scheduling_desk.set_unavailable(wiring().engine, my_party(), my_edition(), data["unavailable"])
    return my_availability()


def _agenda_view(item) -> dict:
    return {"meeting_id": item.meeting_id, "kind": item.kind, "with": item.counterpart, "agenda": item.agenda,
            "starts_at": item.starts_at.isoformat(), "ends_at": item.ends_at.isoformat(), "table": item.table}


@api.get("/me/agenda")
@participant
@documented("The caller's published meetings", responses={200: AgendaOut})
def my_agenda():
    return jsonify(meetings=[_agenda_view(i) for i in queries.agenda_of(wiring().engine, my_party())])


def agenda_file(party: str, owner: str) -> Response:
    body = agenda_calendar(owner, queries.agenda_of(wiring().engine, party))
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = "attachment; filename=dpd-meetings.ics"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@api.get("/me/agenda.ics")
@participant
@documented("The caller's published meetings as a calendar file",
            responses={200: Body("text/calendar")})
def my_agenda_file():
    return agenda_file(my_party(), current_principal().name)


# --- organisers ------------------------------------------------------------------------------

def frame_view(frame: Frame) -> dict:
    return {"edition_id": frame.edition_id, "time_zone": frame.time_zone, "days": repository.days_as_json(frame),
            **{f.name: getattr(frame, f.name) for f in dataclasses.fields(frame)
               if f.name not in ("edition_id", "time_zone", "days", "slots")},
            "slots": len(frame.slots)}


@api.get("/editions/<uuid:edition_id>/frame")
@organiser("matchmaking", read_only=True)
@documented("An edition's schedule frame", responses={200: FrameOut})
def get_frame(edition_id):
    with wiring().engine.connect() as connection:
        frame = repository.frame_of(connection, str(edition_id))
    if frame is None:
        return error_response(404, "not_found", "No schedule frame for this edition yet.")
    return jsonify(frame_view(frame))


@api.put("/editions/<uuid:edition_id>/frame")
@organiser("matchmaking")
@documented("Set an edition's schedule frame: days, slots, tables and limits", body=FrameIn,
            responses={200: FrameOut, 409: ErrorOut})
def put_frame(edition_id):
    data = load_json(FrameIn())
    frame = Frame(edition_id=str(edition_id), **{**data, "days": tuple(data["days"])})
    scheduling_desk.save_frame(wiring().engine, frame, actor=current_principal(), correlation_id=current_correlation_id())
    return jsonify(frame_view(frame))


@api.post("/editions/<uuid:edition_id>/schedule-runs")
@organiser("matchmaking")
@documented("Queue a scheduler run (the worker solves it)", body=RunIn, responses={202: RunQueuedOut, 409: ErrorOut})
def queue_run(edition_id):
    data = load_json(RunIn())
    run_id = scheduling_desk.queue_run(wiring().engine, str(edition_id), allow_moves=data["allow_moves"],
                                       time_limit_seconds=data["time_limit_seconds"], actor=current_principal(),
                                       correlation_id=current_correlation_id())
    return jsonify(id=run_id, status="queued"), 202


@api.get("/schedule-runs/<uuid:run_id>")
@organiser("matchmaking", read_only=True)
@documented("A scheduler run: its status, figures and what it could not place", responses={200: RunOut})
def get_run(run_id):
    row = queries.run(wiring().engine, str(run_id))
    if row is None:
        return error_response(404, "not_found", "No such scheduler run.")
    return jsonify(id=row.id, edition_id=row.edition_id, status=row.status, allow_moves=row.allow_moves,
                   figures=row.figures, unplaced=(row.result or {}).get("unplaced", {}), error=row.error)


@api.post("/schedule-runs/<uuid:run_id>/publish")
@organiser("matchmaking")
@documented("Publish a finished run: its meetings are announced to both sides", responses={200: PublishedOut, 409: ErrorOut})
def publish_run(run_id):
    counts = scheduling_desk.publish_run(wiring().engine, wiring().contracts, str(run_id), actor=current_principal(),
                                         correlation_id=current_correlation_id())
    return jsonify(id=str(run_id), status="published", **counts)


@api.get("/editions/<uuid:edition_id>/schedule")
@organiser("matchmaking", read_only=True)
@documented("An edition's published meetings by slot and table", responses={200: ScheduleOut})
def schedule_grid(edition_id):
    cells = queries.grid(wiring().engine, str(edition_id))
    return jsonify(meetings=[{"meeting_id": c.meeting_id, "starts_at": start.isoformat(), "table": table,
                              "kind": c.kind, "parties": c.parties, "pinned": c.pinned}
                             for (start, table), c in sorted(cells.items())])


@api.post("/meetings/<uuid:request_id>/place")
@organiser("matchmaking")
@documented("Place an accepted meeting by hand", body=PlaceIn, responses={200: PlacedOut, 409: ErrorOut})
def place_meeting(request_id):
    data = load_json(PlaceIn())
    scheduling_desk.place_by_hand(wiring().engine, wiring().contracts, str(request_id), starts_at=data["starts_at"],
                                  table=data["table"], pinned=data["pinned"], actor=current_principal(),
                                  correlation_id=current_correlation_id())
    return jsonify(id=str(request_id), starts_at=data["starts_at"].isoformat(), table=data["table"],
                   pinned=data["pinned"])


@api.post("/meetings/<uuid:request_id>/<action>")
@organiser("matchmaking")
@documented("Pin a placed meeting (the scheduler leaves it), or unpin it", responses={200: PinnedOut, 409: ErrorOut})
def pin_meeting(request_id, action):
    """`pin` or `unpin`."""
    if action not in ("pin", "unpin"):
        return error_response(404, "not_found", "No such action; pin or unpin.")
    scheduling_desk.set_pinned(wiring().engine, str(request_id), action == "pin", actor=current_principal(),
                               correlation_id=current_correlation_id())
    return jsonify(id=str(request_id), pinned=action == "pin")


@api.post("/meetings/<uuid:request_id>/cancel")
@organiser("matchmaking")
@documented("Cancel a meeting request or meeting as an organiser", body=ReasonIn,
            responses={200: RequestStatusOut, 409: ErrorOut})
def cancel_meeting(request_id):
    data = load_json(ReasonIn())
    meetings.cancel_request(wiring().engine, wiring().contracts, current_principal(), str(request_id),
                            reason=data["reason"], correlation_id=current_correlation_id())
    return jsonify(id=str(request_id), status="cancelled")

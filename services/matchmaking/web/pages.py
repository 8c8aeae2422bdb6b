"""Matchmaking's pages: the organisers' editions, frame, scheduler runs, grid and table sheets;
participants' and officers' requests, recommendations, availability and agenda."""
from __future__ import annotations

import re
from collections import Counter

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from marshmallow import ValidationError

from services.matchmaking import meetings, scheduling_desk
from services.matchmaking.adapters import queries, repository
from services.matchmaking.adapters.tables import outbox, processed_events
from services.matchmaking.domain.frame import Frame, PartOfDay
from services.matchmaking.web.api import frame_view, my_party, recommendations_for, wiring
from services.matchmaking.web.schemas import FrameIn, RequestIn
from shared.access import current_principal, organiser, participant
from shared.backbone_dashboard import backbone_figures
from shared.errors import InvalidFields, StateConflict
from shared.web import current_correlation_id

pages = Blueprint("matchmaking_pages", __name__, template_folder="../templates")
EVERY_ORGANISER = ("vetting", "matchmaking", "finance")
_DAY_LINE = re.compile(r"^(\d{4}-\d{2}-\d{2})\s+(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})((?:\s+\d{1,2}:\d{2}\s*-\s*\d{1,2}:\d{2})*)$")


def _page(template: str, status: int = 200, **context):
    return render_template(f"matchmaking/{template}", viewer=current_principal(), **context), status


def _frame(edition_id: str) -> Frame | None:
    with wiring().engine.connect() as connection:
        return repository.frame_of(connection, edition_id)


@pages.get("/admin/")
@organiser(*EVERY_ORGANISER, read_only=True)
def dashboard():
    return _page("dashboard.html", show_nav=True, editions=queries.editions(wiring().engine),
                 backbone=backbone_figures(wiring().engine, outbox, processed_events))


def days_as_lines(frame: Frame | None) -> str:
    if frame is None:
        return ""
    return "\n".join(" ".join([d.date.isoformat(), f"{d.opens:%H:%M}-{d.closes:%H:%M}"] +
                              [f"{b.starts:%H:%M}-{b.ends:%H:%M}" for b in d.breaks]) for d in frame.days)


def days_from_lines(text: str) -> list[dict]:
    """"2026-11-28 09:30-17:30 13:00-14:00" per line: a day, its hours, then its breaks."""
    days = []
    for number, line in enumerate((raw.strip() for raw in text.splitlines() if raw.strip()), start=1):
        match = _DAY_LINE.match(line)
        if not match:
            raise InvalidFields({"days": [f"Line {number} should read like 2026-11-28 09:30-17:30 13:00-14:00."]})
        breaks = [{"starts": a, "ends": b} for a, b in re.findall(r"(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})",
                                                                 match.group(4))]
        days.append({"date": match.group(1), "opens": match.group(2), "closes": match.group(3), "breaks": breaks})
    return days


def _edition_page(edition_id: str, status: int = 200, errors=None, form=None):
    frame = _frame(edition_id)
    form = form or ({**frame_view(frame), "days": days_as_lines(frame)} if frame else
                    {"time_zone": "Asia/Kolkata", "slot_minutes": 20, "officers_keep_tables": True,
                     "max_open_requests_per_company": 30, "max_meetings_per_officer_per_day": 16,
                     "response_hours": 72, "days": ""})
    return _page("edition.html", status, show_nav=True, edition_id=edition_id, frame=frame, form=form,
                 edition_name=queries.edition_name(wiring().engine, edition_id),
                 errors=errors or {}, runs=queries.runs_of(wiring().engine, edition_id))


@pages.get("/admin/editions/<uuid:edition_id>")
@organiser("matchmaking", read_only=True)
def edition(edition_id):
    return _edition_page(str(edition_id))


@pages.post("/admin/editions/<uuid:edition_id>/frame")
@organiser("matchmaking")
def save_frame(edition_id):
    form = request.form.to_dict()
    form["officers_keep_tables"] = "officers_keep_tables" in request.form
    try:
        payload = {key: form.get(key) or None for key in (
            "time_zone", "slot_minutes", "b2g_tables", "b2b_tables", "max_open_requests_per_company",
            "max_meetings_per_officer_per_day", "max_meetings_per_company_per_day", "response_hours")}
        payload = {k: v for k, v in payload.items() if v is not None or k == "max_meetings_per_company_per_day"}
        payload |= {"officers_keep_tables": form["officers_keep_tables"], "days": days_from_lines(form.get("days", ""))}
        data = FrameIn().load(payload)
        frame = Frame(edition_id=str(edition_id), **{**data, "days": tuple(data["days"])})
        scheduling_desk.save_frame(wiring().engine, frame, actor=current_principal(),
                                   correlation_id=current_correlation_id())
    except (ValidationError, InvalidFields) as error:
        messages = error.messages if isinstance(error, ValidationError) else error.errors
        errors = {key.split(".")[0]: value if isinstance(value, list) else [str(value)] for key, value in messages.items()}
        return _edition_page(str(edition_id), 422, errors, form)
    flash(f"Schedule frame saved: {len(frame.slots)} slots.", "success")
    return redirect(url_for(".edition", edition_id=edition_id))


@pages.post("/admin/editions/<uuid:edition_id>/runs")
@organiser("matchmaking")
def run_scheduler(edition_id):
    try:
        limit = int(request.form.get("time_limit_seconds") or 10)
        scheduling_desk.queue_run(wiring().engine, str(edition_id), allow_moves="allow_moves" in request.form,
                                  time_limit_seconds=limit, actor=current_principal(),
                                  correlation_id=current_correlation_id())
        flash("The scheduler is running; reload this page to see its figures.", "success")
    except (InvalidFields, StateConflict, ValueError) as refusal:
        flash(str(refusal) if not isinstance(refusal, ValueError) else "Give the time limit in seconds.", "error")
    return redirect(url_for(".edition", edition_id=edition_id))


@pages.post("/admin/runs/<uuid:run_id>/publish")
@organiser("matchmaking")
def publish_run(run_id):
    run = queries.run(wiring().engine, str(run_id))
    try:
        counts = scheduling_desk.publish_run(wiring().engine, wiring().contracts, str(run_id),
                                             actor=current_principal(), correlation_id=current_correlation_id())
        flash(f"Published: {counts['scheduled']} meetings scheduled, {counts['moved']} moved, "
              f"{counts['unchanged']} unchanged. Both sides of each are told.", "success")
    except StateConflict as refusal:
        flash(str(refusal), "error")
    return redirect(url_for(".edition", edition_id=run.edition_id) if run else url_for(".dashboard"))


@pages.get("/admin/editions/<uuid:edition_id>/grid")
@organiser("matchmaking", read_only=True)
def grid(edition_id):
    frame = _frame(str(edition_id))
    if frame is None:
        return _page("message.html", 404, show_nav=True, title="No schedule frame",
                     message="Set the schedule frame of this edition first.")
    cells = queries.grid(wiring().engine, str(edition_id))
    used = {table for _, table in cells}
    tables = [t for t in frame.b2g_table_labels() + frame.b2b_table_labels() if t in used]
    return _page("grid.html", show_nav=True, edition_id=str(edition_id), frame=frame, cells=cells, tables=tables,
                 waiting=queries.accepted_unplaced(wiring().engine, str(edition_id)),
                 per_slot=Counter(start for start, _ in cells))


@pages.get("/admin/editions/<uuid:edition_id>/tables/<table>")
@organiser("matchmaking", read_only=True)
def table_sheet(edition_id, table):
    frame = _frame(str(edition_id))
    cells = queries.grid(wiring().engine, str(edition_id))
    rows = sorted((start, cell) for (start, label), cell in cells.items() if label == table)
    return _page("table_sheet.html", show_nav=True, edition_id=str(edition_id), table=table, rows=rows,
                 zone=frame.zone if frame else None)


@pages.post("/admin/meetings/<uuid:request_id>/<action>")
@organiser("matchmaking")
def meeting_action(request_id, action):
    """`pin`, `unpin` or `cancel`."""
    if action not in ("pin", "unpin", "cancel"):
        abort(404)
    try:
        if action == "cancel":
            meetings.cancel_request(wiring().engine, wiring().contracts, current_principal(), str(request_id),
                                    reason=request.form.get("reason"), correlation_id=current_correlation_id())
        else:
            scheduling_desk.set_pinned(wiring().engine, str(request_id), action == "pin", actor=current_principal(),
                                       correlation_id=current_correlation_id())
        flash({"cancel": "Meeting cancelled; both sides are told.", "pin": "Pinned: the scheduler keeps it there.",
               "unpin": "Unpinned."}[action], "success")
    except StateConflict as refusal:
        flash(str(refusal), "error")
    return redirect(request.referrer or url_for(".dashboard"))


# --- participants and officers ---------------------------------------------------------------

def _me_page(status: int = 200, errors=None, form=None):
    party = my_party()
    edition_id = queries.edition_of_party(wiring().engine, party)
    if edition_id is None:
        return _page("message.html", 404, title="Not yet", message="Matchmaking opens to your organisation once it "
                                                                   "is approved.")
    received, sent, names = queries.requests_of(wiring().engine, party)
    frame = _frame(edition_id)
    return _page("me.html", status, party=party, received=received, sent=sent, names=names,
                 agenda=queries.agenda_of(wiring().engine, party), zone=frame.zone if frame else None,
                 recommendations=recommendations_for(party, edition_id, limit=10),
                 parts=[p.value for p in PartOfDay], errors=errors or {}, form=form or {})


@pages.get("/me")
@participant
def me():
    return _me_page()


@pages.post("/me/requests")
@participant
def send_request():
    form = {"receiver": request.form.get("receiver", ""), "agenda": request.form.get("agenda", ""),
            "part_of_day": request.form.get("part_of_day") or "any"}
    try:
        meetings.request_meeting(wiring().engine, wiring().contracts, current_principal(),
                                 meetings.NewRequest(**RequestIn().load(form)), correlation_id=current_correlation_id())
    except (ValidationError, InvalidFields, StateConflict) as error:
        errors = error.messages if isinstance(error, ValidationError) else \
            error.errors if isinstance(error, InvalidFields) else {"_": [str(error)]}
        return _me_page(422 if not isinstance(error, StateConflict) else 409, errors, form)
    flash("Request sent. They will hear about it by email.", "success")
    return redirect(url_for(".me"))


@pages.post("/me/requests/<uuid:request_id>/<action>")
@participant
def answer(request_id, action):
    """`accept`, `decline` or `cancel`."""
    if action not in ("accept", "decline", "cancel"):
        abort(404)
    try:
        if action == "cancel":
            meetings.cancel_request(wiring().engine, wiring().contracts, current_principal(), str(request_id),
                                    reason=request.form.get("reason"), correlation_id=current_correlation_id())
        else:
            meetings.answer_request(wiring().engine, wiring().contracts, current_principal(), str(request_id),
                                    accept=action == "accept", starred="starred" in request.form,
                                    reason=request.form.get("reason"), correlation_id=current_correlation_id())
        flash({"accept": "Accepted: the scheduler will give it a slot and a table.", "decline": "Declined.",
               "cancel": "Cancelled; the other side is told."}[action], "success")
    except StateConflict as refusal:
        flash(str(refusal), "error")
    return redirect(url_for(".me"))


@pages.get("/me/availability")
@participant
def availability():
    edition_id = queries.edition_of_party(wiring().engine, my_party())
    frame = _frame(edition_id) if edition_id else None
    with wiring().engine.connect() as connection:
        away = scheduling_desk.unavailable_of(connection, my_party())
    return _page("availability.html", frame=frame, away=away)


@pages.post("/me/availability")
@participant
def save_availability():
    edition_id = queries.edition_of_party(wiring().engine, my_party())
    frame = _frame(edition_id) if edition_id else None
    if frame is None:
        flash("The schedule frame is not set yet.", "error")
        return redirect(url_for(".me"))
    available = set(request.form.getlist("available"))
    away = [slot.starts_at for slot in frame.slots if slot.starts_at.isoformat() not in available]
    scheduling_desk.set_unavailable(wiring().engine, my_party(), edition_id, away)
    flash("Availability saved.", "success")
    return redirect(url_for(".availability"))


@pages.get("/me/agenda")
@participant
def agenda():
    """The printable day: one line per meeting."""
    party = my_party()
    edition_id = queries.edition_of_party(wiring().engine, party)
    frame = _frame(edition_id) if edition_id else None
    return _page("agenda.html", items=queries.agenda_of(wiring().engine, party), zone=frame.zone if frame else None)

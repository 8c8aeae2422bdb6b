"""Registration's pages: organisers' sign-in, dashboard and vetting desk; participants' access links and own page."""
from __future__ import annotations

import dataclasses
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
from urllib.parse import urlsplit

from flask import (
    Blueprint, Response, abort, current_app, flash, make_response, redirect, render_template, request,
    url_for)
from marshmallow import ValidationError
from werkzeug.datastructures import MultiDict

from services.registration import badge_desk, identity, roster, self_service, service
from services.registration.adapters import queries, repository
from services.registration.domain.badges import InvalidBadge
from services.registration.domain.india import STATES_BY_KEY
from services.registration.domain.model import SECTORS, IdentityDocumentType, OrganisationType
from services.registration.domain.officers import COLUMNS as OFFICER_COLUMNS
from services.registration.domain.vetting import Decision, Status
from services.registration.web.api import public_url, wiring
from services.registration.web.api import register as register_registration
from services.registration.web.api import save_edition
from services.registration.web.schemas import (
    AccessLinkIn, DelegateIn, EditionIn, OrganisationIn, OrganiserIn, RegistrationIn, SignInIn)
from shared.access import (
    clear_session_cookie, current_principal, organiser, participant, public, set_session_cookie, signed_in)
from services.registration.adapters.tables import audit_log
from shared.audit import record_audit
from shared.auth import ORGANISER_ROLES
from shared.errors import InvalidFields, StateConflict
from shared.service_app import rate_limited
from shared.spreadsheets import csv_download
from shared.web import current_correlation_id
from shared.web_ui.charts import bar_chart

pages = Blueprint("registration_pages", __name__, template_folder="../templates")
EVERY_ORGANISER = ("vetting", "matchmaking", "finance")


def _secure_cookies() -> bool:
    return current_app.config["WEB_SETTINGS"].secure_cookies


def _safe_next(target: str | None, default: str) -> str:
    """Only back to one of our own services: a sign-in page must not bounce people elsewhere."""
    if not target:
        return default
    if target.startswith("/") and not target.startswith("//"):
        return target
    ours = {urlsplit(url).netloc for url in current_app.config["WEB_SETTINGS"].service_urls.values()}
    return target if urlsplit(target).netloc in ours and urlsplit(target).scheme in {"http", "https"} else default


def _page(template: str, status: int = 200, **context):
    return render_template(f"registration/{template}", viewer=current_principal(), **context), status


def _form_errors(error) -> dict:
    messages = error.messages if isinstance(error, ValidationError) else error.errors
    return {field: (text if isinstance(text, list) else [str(text)]) for field, text in messages.items()}


@pages.get("/admin/sign-in")
@public
def sign_in_form():
    return _page("sign_in.html", next=request.args.get("next", ""), errors={}, email="")


@pages.post("/admin/sign-in")
@public
@rate_limited
def sign_in():
    next_url = request.form.get("next", "")
    try:
        data = SignInIn().load({"email": request.form.get("email", ""), "password": request.form.get("password", "")})
        session = identity.sign_in_organiser(wiring(), data["email"], data["password"])
    except ValidationError as error:
        return _page("sign_in.html", 422, next=next_url, errors=_form_errors(error), email=request.form.get("email"))
    except identity.SignInRefused:
        return _page("sign_in.html", 401, next=next_url, email=request.form.get("email"),
                     errors={"password": ["Wrong email or password."]})
    response = make_response(redirect(_safe_next(next_url, url_for(".dashboard"))))
    set_session_cookie(response, session.token, max_age=current_app.extensions["registration"].settings
                       .organiser_session_hours * 3600, secure=_secure_cookies())
    return response


@pages.post("/sign-out")
@signed_in
def sign_out():
    principal = current_principal()
    identity.sign_out(wiring(), principal, current_correlation_id())
    target = url_for(".sign_in_form") if principal.is_organiser else url_for(".access_form")
    response = make_response(redirect(target))
    clear_session_cookie(response, secure=_secure_cookies())
    return response


@pages.get("/admin/")
@organiser(*EVERY_ORGANISER, read_only=True)
def dashboard():
    engine = wiring().engine
    counts = queries.status_counts(engine)
    days, per_type = queries.registrations_per_day_by_type(engine)
    labels = {t.value: t.value.replace("_", " ").capitalize() for t in OrganisationType}
    chart = bar_chart("Registrations per day by organisation type", days,
                      {labels.get(kind, kind): values for kind, values in sorted(per_type.items())}, stacked=True)
    return _page("dashboard.html", show_nav=True, counts=counts, total=sum(counts.values()), chart=chart)


@pages.get("/admin/registrations")
@organiser("vetting", read_only=True)
def registration_list():
    status = request.args.get("status") or None
    rows = queries.registration_list(wiring().engine, status=status, search=request.args.get("q"))
    return _page("registrations.html", show_nav=True, rows=rows, status_filter=status or "", q=request.args.get("q", ""),
                 statuses=[(s.value, s.value.replace('_', ' ').capitalize()) for s in Status])


@pages.get("/admin/registrations.csv")
@organiser("vetting")
def export_registrations():
    """A spreadsheet of every delegate: role-checked, and the export itself is audited."""
    edition = service.find_edition(wiring().engine, request.args.get("edition", "")) if request.args.get("edition") \
        else None
    with wiring().engine.begin() as connection:
        record_audit(connection, audit_log, actor=current_principal(), action="registrations.exported",
                     target_type="edition", target_id=edition.id if edition else "all",
                     correlation_id=current_correlation_id())

    return csv_download("registrations.csv", queries.EXPORT_COLUMNS,
                        queries.export_rows(wiring().engine, edition.id if edition else None))


@pages.get("/admin/registrations/<uuid:registration_id>")
@organiser("vetting", read_only=True)
def registration_detail(registration_id):
    registration, people = queries.registration_detail(wiring().engine, str(registration_id))
    if registration is None:
        return _page("message.html", 404, show_nav=True, title="Not found", message="No such registration.")
    return _page("registration.html", show_nav=True, registration=registration, people=people,
                 flags=queries.flags(wiring().engine, registration, people), decisions=Decision)


@pages.post("/admin/registrations/<uuid:registration_id>/decision")
@organiser("vetting")
def decide(registration_id):
    try:
        outcome = service.decide(wiring().engine, wiring().contracts, registration_id=str(registration_id),
                                 decision=Decision(request.form.get("decision", "")),
                                 message=request.form.get("message"), actor=current_principal(),
                                 access_url=f"{public_url()}/access", correlation_id=current_correlation_id())
        flash(outcome.note or f"Done: the registration is {outcome.status.value.replace('_', ' ')}; "
                              "the contact will hear by email.", "warning" if outcome.note else "success")
    except (StateConflict, InvalidFields, ValueError) as refusal:
        flash(str(refusal) if not isinstance(refusal, ValueError) else "Choose a decision.", "error")
    return redirect(url_for(".registration_detail", registration_id=registration_id))


@pages.post("/admin/registrations/bulk-approve")
@organiser("vetting")
def bulk_approve():
    approved, other = 0, []
    for registration_id in request.form.getlist("registration_ids"):
        try:
            outcome = service.decide(wiring().engine, wiring().contracts, registration_id=registration_id,
                                     decision=Decision.APPROVE, message=None, actor=current_principal(),
                                     access_url=f"{public_url()}/access", correlation_id=current_correlation_id())
            approved += outcome.status.value == "approved"
            if outcome.note:
                other.append(outcome.note)
        except StateConflict as refusal:
            other.append(str(refusal))
    flash(f"{approved} approved." + (f" Also: {' '.join(sorted(set(other)))}" if other else ""),
          "warning" if other else "success")
    return redirect(url_for(".registration_list", status="submitted"))


@pages.get("/verify/<secret>")
@public
def verify_confirm(secret):
    """A button, not an instant confirmation: mail scanners open links too."""
    return _page("verify_confirm.html", secret=secret)


@pages.post("/verify/<secret>")
@public
def verify(secret):
    try:
        confirmation = service.verify_email(wiring().engine, wiring().contracts, secret,
                                            correlation_id=current_correlation_id())
    except service.LinkRefused as refusal:
        return _page("message.html", 410, title="This link does not work", message=str(refusal))
    row = confirmation.registration
    if confirmation.waiting_for and row.status == Status.AWAITING_VERIFICATION.value:
        return _page("message.html", title="Thank you", message=(
            f"Your email address is confirmed. The registration of {row.legal_name} (reference {row.reference}) "
            f"goes to the organisers once every delegate has confirmed theirs; still waiting for: "
            f"{', '.join(confirmation.waiting_for)}. Each of them has an email with their own link."))
    if row.status == Status.SUBMITTED.value:
        return _page("message.html", title="Thank you",
                     message=f"Your email address is confirmed. The registration of {row.legal_name} "
                             f"(reference {row.reference}) is now with the organisers; you will hear from them by email.")
    return _page("message.html", title="Thank you",
                 message=f"Your email address is confirmed, as a delegate of {row.legal_name} (reference {row.reference}).")


@pages.get("/admin/organisers")
@organiser("admin")
def organiser_list():
    return _organisers_page()


def _organisers_page(status: int = 200, errors=None, form=None):
    return _page("organisers.html", status, show_nav=True, accounts=identity.list_organisers(wiring()),
                 roles=ORGANISER_ROLES, errors=errors or {}, form=form or {})


@pages.post("/admin/organisers")
@organiser("admin")
def add_organiser():
    form = {"email": request.form.get("email", ""), "name": request.form.get("name", ""),
            "roles": request.form.getlist("roles"), "password": request.form.get("password", "")}
    try:
        data = OrganiserIn().load(form)
        identity.create_organiser(wiring(), actor=current_principal(), email=data["email"], name=data["name"],
                                  roles=data["roles"], password=data["password"],
                                  correlation_id=current_correlation_id())
    except (ValidationError, InvalidFields) as error:
        return _organisers_page(422, _form_errors(error), {**form, "password": ""})
    flash(f"Organiser {form['name']} added.", "success")
    return redirect(url_for(".organiser_list"))


@pages.post("/admin/organisers/<uuid:account_id>")
@organiser("admin")
def change_organiser(account_id):
    try:
        identity.update_organiser(wiring(), actor=current_principal(), account_id=str(account_id),
                                  roles=request.form.getlist("roles"), active=request.form.get("active") == "on",
                                  correlation_id=current_correlation_id())
        flash("Saved. The change applies to their next request.", "success")
    except (InvalidFields, StateConflict) as error:
        flash(str(error), "error")
    return redirect(url_for(".organiser_list"))


@pages.get("/access")
@public
def access_form():
    return _page("access_request.html", errors={}, email="")


@pages.post("/access")
@public
@rate_limited
def request_access():
    try:
        data = AccessLinkIn().load({"email": request.form.get("email", "")})
    except ValidationError as error:
        return _page("access_request.html", 422, errors=_form_errors(error), email=request.form.get("email", ""))
    identity.request_access_link(wiring(), data["email"], link_base_url=public_url(),
                                 correlation_id=current_correlation_id())
    return _page("access_sent.html", email=data["email"])


@pages.get("/access/<secret>")
@public
def access_confirm(secret):
    """A button, not an instant sign-in: mail scanners open links, and the link works only once."""
    return _page("access_confirm.html", secret=secret)


@pages.post("/access/<secret>")
@public
def access_redeem(secret):
    try:
        session = identity.redeem_access_link(wiring(), secret)
    except identity.AccessLinkRefused as refusal:
        return _page("access_request.html", 410, errors={"email": [str(refusal)]}, email="")
    response = make_response(redirect(url_for(".my_page")))
    set_session_cookie(response, session.token, max_age=current_app.extensions["registration"].settings
                       .participant_session_hours * 3600, secure=_secure_cookies())
    return response


@pages.get("/me")
@participant
def my_page(errors=None, status: int = 200):
    me = current_principal()
    badge = badge_desk.live_code(wiring().engine, wiring().badge_signer, officer_id=me.subject if me.officer else None,
                                 delegate_id=None if me.officer else me.subject)
    if me.officer:
        return _page("me_officer.html", officer=queries.officer(wiring().engine, me.subject), badge=badge)
    registration, people = queries.registration_detail(wiring().engine, me.registration_id)
    if registration is None:
        return _page("message.html", 404, title="Not found", message="Your registration no longer exists.")
    return _page("me.html", status, registration=registration, people=people, badge=badge, errors=errors or {},
                 document_types=_document_types())


def _document_types():
    return [("", "—")] + [(t.value, t.value.replace("_", " ").capitalize()) for t in IdentityDocumentType]


def _registrant() -> str:
    me = current_principal()
    if me.officer:
        abort(403)
    return me.registration_id


def _form_context() -> dict:
    return {"organisation_types": [(t.value, t.value.replace("_", " ").capitalize()) for t in OrganisationType],
            "states": [("", "—")] + sorted(((s.key, s.name) for s in STATES_BY_KEY.values()), key=lambda p: p[1]),
            "sectors": SECTORS}


@pages.get("/me/details")
@participant
def my_details():
    registration, _ = queries.registration_detail(wiring().engine, _registrant())
    if registration is None:
        abort(404)
    form = MultiDict()
    for name, value in self_service.organisation_of(registration).items():
        for item in (value if isinstance(value, list) else [value]):
            if item is not None:
                form.add(f"organisation.{name}", item)
    return _page("me_edit.html", form=form, errors={}, registration_status=registration.status, **_form_context())


@pages.post("/me/details")
@participant
def save_my_details():
    registration_id = _registrant()
    try:
        organisation = OrganisationIn().load(_registration_from_form(request.form, "")["organisation"])
        status = self_service.update_organisation(wiring().engine, wiring().contracts, registration_id=registration_id,
                                                  organisation=organisation, actor=current_principal(),
                                                  correlation_id=current_correlation_id())
    except (ValidationError, InvalidFields) as error:
        errors = _flatten(error.messages, "organisation.") if isinstance(error, ValidationError) else error.errors
        registration, _ = queries.registration_detail(wiring().engine, registration_id)
        return _page("me_edit.html", 422, form=request.form, errors=errors, registration_status=registration.status,
                     **_form_context())
    flash("Saved." + (" Your registration is back with the organisers for review." if status == "submitted" else ""),
          "success")
    return redirect(url_for(".my_page"))


@pages.post("/me/delegates")
@participant
def add_my_delegate():
    registration_id = _registrant()
    row = {name: request.form.get(name, "").strip() for name in _DELEGATE_FIELDS}
    row = {name: value for name, value in row.items() if value}
    row["id_document"] = {key: request.form.get(f"id_document.{key}", "").strip() for key in ("type", "number")}
    try:
        self_service.add_delegate(wiring().engine, wiring().contracts, wiring().personal_data,
                                  registration_id=registration_id, delegate=DelegateIn().load(row),
                                  actor=current_principal(), verify_url=f"{public_url()}/verify",
                                  correlation_id=current_correlation_id())
    except (ValidationError, InvalidFields) as error:
        return my_page(errors=_flatten(error.messages) if isinstance(error, ValidationError) else error.errors,
                       status=422)
    flash("Delegate added.", "success")
    return redirect(url_for(".my_page"))


@pages.post("/me/delegates/<uuid:delegate_id>/remove")
@participant
def remove_my_delegate(delegate_id):
    try:
        self_service.remove_delegate(wiring().engine, wiring().contracts, registration_id=_registrant(),
                                     delegate_id=str(delegate_id), actor=current_principal(),
                                     correlation_id=current_correlation_id())
        flash("Delegate removed.", "success")
    except StateConflict as refusal:
        flash(str(refusal), "error")
    return redirect(url_for(".my_page"))


@pages.post("/me/cancel")
@participant
def cancel_mine():
    try:
        service.cancel(wiring().engine, wiring().contracts, registration_id=_registrant(), actor=current_principal(),
                       access_url=f"{public_url()}/access", correlation_id=current_correlation_id())
        flash("Your registration is cancelled. We are sorry to see you go.", "success")
    except StateConflict as refusal:
        flash(str(refusal), "error")
    return redirect(url_for(".my_page"))


@pages.get("/admin/officers")
@organiser("vetting", "matchmaking", read_only=True)
def officer_roster():
    return _roster_page()


def _roster_page(status: int = 200, problems=(), edition_slug: str | None = None):
    editions = queries.edition_choices(wiring().engine)
    slug = edition_slug or request.args.get("edition") or (editions[0][0] if editions else None)
    edition = service.find_edition(wiring().engine, slug) if slug else None
    rows = roster.roster_of(wiring().engine, edition.id) if edition else []
    return _page("officers.html", status, show_nav=True, editions=editions, edition=edition, rows=rows,
                 problems=problems, columns=OFFICER_COLUMNS)


@pages.post("/admin/officers/import")
@organiser("vetting", "matchmaking")
def import_roster():
    edition = service.find_edition(wiring().engine, request.form.get("edition", ""))
    upload = request.files.get("file")
    if edition is None or upload is None or not upload.filename:
        flash("Choose an edition and a CSV file.", "error")
        return redirect(url_for(".officer_roster"))
    try:
        text = upload.read().decode("utf-8")
    except UnicodeDecodeError:
        flash("The file is not UTF-8 text; save the spreadsheet as CSV UTF-8.", "error")
        return redirect(url_for(".officer_roster", edition=edition.slug))
    result = roster.import_roster(wiring().engine, wiring().contracts, edition.id, text, actor=current_principal(),
                                  correlation_id=current_correlation_id())
    if result.errors:
        return _roster_page(422, result.errors, edition.slug)
    flash(f"Roster imported: {result.added} added, {result.updated} updated, {result.unchanged} unchanged.",
          "success")
    return redirect(url_for(".officer_roster", edition=edition.slug))


DELEGATE_ROWS = 5
_ORGANISATION_FIELDS = ("legal_name", "type", "country", "state", "gstin", "address", "city", "postal_code",
                        "website", "capabilities", "products", "udyam_number", "dpiit_number")
_DELEGATE_FIELDS = ("full_name", "designation", "email", "phone", "nationality")


def _registration_from_form(form, slug: str) -> dict:
    """The web form's fields as the JSON API's body, so both are checked by the same rules."""
    def value(name):
        text = form.get(name, "").strip()
        return text or None

    organisation = {name: value(f"organisation.{name}") for name in _ORGANISATION_FIELDS}
    organisation = {name: text for name, text in organisation.items() if text is not None or name in ("state", "gstin")}
    organisation["sectors"] = form.getlist("organisation.sectors")
    delegates = []
    for index in range(DELEGATE_ROWS):
        row = {name: value(f"delegates.{index}.{name}") for name in _DELEGATE_FIELDS}
        document = {"type": value(f"delegates.{index}.id_document.type"),
                    "number": value(f"delegates.{index}.id_document.number")}
        if any(row[name] for name in ("full_name", "email", "phone", "designation")) or document["number"]:
            delegate = {name: text for name, text in row.items() if text is not None}
            delegate["id_document"] = {key: text for key, text in document.items() if text is not None}
            delegates.append(delegate)
    return {"edition": slug, "organisation": organisation, "delegates": delegates,
            "meeting_interests": form.getlist("meeting_interests"),
            "participation_interests": form.getlist("participation_interests") or ["delegate_only"]}


def _flatten(messages, prefix: str = "") -> dict[str, list[str]]:
    """marshmallow's nested errors as "organisation.gstin" and "delegates.0.email" keys, like the form's names."""
    flat: dict[str, list[str]] = {}
    for key, value in messages.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat |= _flatten(value, f"{name}.")
        else:
            flat[name] = value if isinstance(value, list) else [str(value)]
    return flat


def _registration_form(slug: str, status: int = 200, errors=None, form=None):
    edition = service.find_edition(wiring().engine, slug)
    if edition is None:
        return _page("message.html", 404, title="Not found", message="There is no such edition.")
    form = form or MultiDict()
    return _page("register.html", status, edition=edition, errors=errors or {}, form=form,
                 form_id=form.get("form_id") or str(uuid.uuid4()), delegate_rows=range(DELEGATE_ROWS),
                 document_types=_document_types(), **_form_context())


@pages.get("/register/<slug>")
@public
def registration_form(slug):
    return _registration_form(slug)


@pages.post("/register/<slug>")
@public
@rate_limited
def register(slug):
    try:
        submitted = register_registration(RegistrationIn().load(_registration_from_form(request.form, slug)),
                                          client_request_id=request.form.get("form_id") or None)
    except ValidationError as error:
        return _registration_form(slug, 422, _flatten(error.messages), request.form)
    except InvalidFields as error:
        return _registration_form(slug, 422, error.errors, request.form)
    except StateConflict as refusal:
        return _page("message.html", 409, title="Registration is not open", message=str(refusal))
    return _page("message.html", 201, title="Check your email",
                 message=f"Thank you. Your reference is {submitted.reference}. We have sent a link to the first "
                         "delegate's email address: follow it to confirm the address and send the registration to "
                         "the organisers.")


@pages.get("/badges/<code>.<any(png, pdf):kind>")
@public
def badge_file(code, kind):
    """The badge's code is what admits its holder, so whoever has the link may download it."""
    try:
        document = badge_desk.render(wiring().engine, wiring().badge_signer, code, kind)
    except (InvalidBadge, badge_desk.BadgeRefused) as refusal:
        return _page("message.html", 410 if isinstance(refusal, badge_desk.BadgeRefused) else 404,
                     title="No such badge", message=str(refusal))
    response = Response(document, mimetype="application/pdf" if kind == "pdf" else "image/png")
    response.headers["Content-Disposition"] = f"inline; filename=badge.{kind}"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@pages.get("/admin/check-in")
@organiser("vetting", "matchmaking", "finance")
def check_in_desk():
    return _page("check_in.html", show_nav=True, result=None, refusal=None)


@pages.post("/admin/check-in")
@organiser("vetting", "matchmaking", "finance")
def check_in():
    try:
        result = badge_desk.check_in(wiring().engine, wiring().contracts, wiring().badge_signer,
                                     request.form.get("code", ""), actor=current_principal(),
                                     correlation_id=current_correlation_id())
    except (InvalidBadge, badge_desk.BadgeRefused) as refusal:
        return _page("check_in.html", 422, show_nav=True, result=None, refusal=str(refusal))
    return _page("check_in.html", show_nav=True, result=result, refusal=None,
                 at=badge_desk.local_time(result.checked_in_at))


@pages.get("/admin/editions")
@organiser("admin")
def edition_list():
    return _editions_page()


def _editions_page(status: int = 200, errors=None, form=None):
    with wiring().engine.connect() as connection:
        rows = repository.all_editions(connection)
    return _page("editions.html", status, show_nav=True, rows=rows, errors=errors or {}, form=form or MultiDict(),
                 categories=[(t.value, t.value.replace("_", " ").capitalize()) for t in OrganisationType])


@pages.post("/admin/editions")
@organiser("admin")
def save_edition_form():
    """A new edition, or changes to the one whose slug is given; times are read in the event's time zone."""
    form = request.form
    zone = form.get("time_zone") or "Asia/Kolkata"

    def local(name):
        value = form.get(name, "").strip()
        return f"{value}:00{_utc_offset(zone, value)}" if value else None

    categories = {}
    for category, _ in [(t.value, None) for t in OrganisationType]:
        capacity, delegates = form.get(f"capacity.{category}", "").strip(), form.get(f"max_delegates.{category}", "").strip()
        if capacity or delegates:
            categories[category] = {"capacity": int(capacity) if capacity.isdigit() else (capacity or None),
                                    "max_delegates": int(delegates) if delegates.isdigit() else (delegates or 5)}
    payload = {"slug": form.get("slug", "").strip(), "name": form.get("name", ""), "venue": form.get("venue", ""),
               "starts_on": form.get("starts_on") or None, "ends_on": form.get("ends_on") or None, "time_zone": zone,
               "registration_opens_at": local("registration_opens_at"),
               "registration_closes_at": local("registration_closes_at"), "categories": categories}
    try:
        edition = EditionIn().load(payload)
        existing = service.find_edition(wiring().engine, edition.slug)
        save_edition(dataclasses.replace(edition, id=existing.id if existing else None))
    except ValidationError as error:
        return _editions_page(422, _flatten(error.messages), form)
    except (InvalidFields, StateConflict) as error:
        return _editions_page(422, error.errors if isinstance(error, InvalidFields) else {"slug": [str(error)]}, form)
    flash(f"Edition {edition.name} saved.", "success")
    return redirect(url_for(".edition_list"))


def _utc_offset(zone: str, local_value: str) -> str:
    """The zone's offset on that date ("+05:30" for Asia/Kolkata), so times are entered as people read them."""
    try:
        moment = datetime.fromisoformat(local_value).replace(tzinfo=ZoneInfo(zone))
    except (ValueError, ZoneInfoNotFoundError):
        return "+00:00"
    offset = moment.utcoffset()
    minutes = int(offset.total_seconds() // 60)
    return f"{'+' if minutes >= 0 else '-'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"

"""Notification's back-office: the delivery dashboard, template previews, the delivery log
(search, read, resend) and announcements (write, preview, send, follow)."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from marshmallow import ValidationError

from services.notification import announcements, delivery
from services.notification.adapters import queries, segments
from services.notification.adapters.calendar import invite_ics
from services.notification.adapters.tables import outbox, processed_events
from services.notification.bootstrap import Notification
from services.notification.catalogue import TEMPLATES, TEMPLATES_BY_NAME, sample_email
from services.notification.domain import announcements as announcement_emails
from services.notification.domain.messages import Recipient
from services.notification.domain.segments import Segment
from services.notification.samples import AT
from services.notification.web.schemas import STATUSES, AnnouncementIn, LogFilterIn
from shared.access import current_principal, organiser
from shared.backbone_dashboard import backbone_figures
from shared.errors import StateConflict
from shared.web import current_correlation_id
from shared.web_ui.charts import bar_chart, horizontal_bar_chart

pages = Blueprint("notification_pages", __name__, template_folder="../templates")
EVERY_ORGANISER = ("vetting", "matchmaking", "finance")
ANNOUNCERS = ("vetting", "matchmaking")


def wiring() -> Notification:
    return current_app.extensions["notification"]


def _page(page: str, status: int = 200, **context):
    return render_template(f"notification/{page}", viewer=current_principal(), show_nav=True, **context), status


def _not_found(what: str):
    return _page("message.html", 404, title="Not found", message=f"No such {what}.")


@pages.get("/admin/")
@organiser(*EVERY_ORGANISER, read_only=True)
def dashboard():
    engine = wiring().engine
    days, per_status = queries.emails_per_day_by_status(engine)
    templates = queries.emails_by_template(engine)
    return _page("dashboard.html", counts=queries.status_counts(engine),
                 backbone=backbone_figures(engine, outbox, processed_events),
                 per_day=bar_chart("Emails per day by outcome", days, per_status, stacked=True),
                 per_template=horizontal_bar_chart("Emails by kind", [t for t, _ in templates],
                                                   [n for _, n in templates]))


@pages.get("/admin/templates")
@organiser(*EVERY_ORGANISER, read_only=True)
def template_list():
    return _page("templates.html", templates=TEMPLATES)


@pages.get("/admin/templates/<name>")
@organiser(*EVERY_ORGANISER, read_only=True)
def template_preview(name):
    if name not in TEMPLATES_BY_NAME:
        return _not_found("template")
    email = sample_email(name, wiring().links)
    rendered = wiring().queue.renderer.render(email.template, email.context)
    calendar = invite_ics(email.calendar, organiser=wiring().settings.mail_from, stamp=AT) if email.calendar else None
    return _page("template.html", template=TEMPLATES_BY_NAME[name], recipient=email.recipient, rendered=rendered,
                 calendar=calendar)


@pages.get("/admin/deliveries")
@organiser(*EVERY_ORGANISER, read_only=True)
def delivery_log():
    try:
        wanted = queries.LogFilter(**LogFilterIn().load(request.args))
        errors = {}
    except ValidationError as error:
        wanted, errors = queries.LogFilter(), error.messages
    engine = wiring().engine
    return _page("deliveries.html", 422 if errors else 200, errors=errors, form=request.args,
                 rows=queries.delivery_log(engine, wanted), limit=queries.LOG_PAGE,
                 event_types=[("", "Any")] + [(kind, kind) for kind in queries.event_types(engine)],
                 statuses=[("", "Any")] + [(status, status.capitalize()) for status in STATUSES])


@pages.get("/admin/deliveries/<uuid:email_id>")
@organiser(*EVERY_ORGANISER, read_only=True)
def delivery_detail(email_id):
    email = queries.email(wiring().engine, str(email_id))
    if email is None:
        return _not_found("email")
    return _page("delivery.html", email=email, resends=queries.resends_of(wiring().engine, str(email_id)))


@pages.post("/admin/deliveries/<uuid:email_id>/resend")
@organiser(*EVERY_ORGANISER)
def resend(email_id):
    try:
        copy_id = delivery.resend(wiring().engine, str(email_id), actor=current_principal(),
                                  correlation_id=current_correlation_id())
    except delivery.NotFound:
        return _not_found("email")
    except StateConflict as refusal:
        flash(str(refusal), "error")
        return redirect(url_for(".delivery_detail", email_id=email_id))
    flash("Queued again: the copy below goes out in a moment.", "success")
    return redirect(url_for(".delivery_detail", email_id=copy_id))


def _editions() -> dict:
    """The edition choices of the announcement form, and each edition's name."""
    with wiring().engine.connect() as connection:
        known = segments.editions(connection)
    return {"editions": [("", "Every edition"), *known], "edition_names": dict(known)}


def _segment_choices() -> list[tuple[str, str]]:
    return [(segment.value, segment.label) for segment in Segment]


def _segment_labels() -> dict[str, str]:
    return {segment.value: segment.label for segment in Segment}


@pages.get("/admin/announcements")
@organiser(*EVERY_ORGANISER, read_only=True)
def announcement_list():
    return _page("announcements.html", rows=queries.announcement_list(wiring().engine), labels=_segment_labels(),
                 form={}, errors={}, segments=_segment_choices(), **_editions())


@pages.post("/admin/announcements")
@organiser(*ANNOUNCERS)
def create_announcement():
    try:
        draft = AnnouncementIn().load(request.form)
    except ValidationError as error:
        return _page("announcements.html", 422, rows=queries.announcement_list(wiring().engine),
                     labels=_segment_labels(), form=request.form, errors=error.messages,
                     segments=_segment_choices(), **_editions())
    announcement_id = announcements.create(wiring().engine, draft, actor=current_principal(),
                                           correlation_id=current_correlation_id())
    flash("Draft saved. Check the preview and the number of recipients, then send it.", "success")
    return redirect(url_for(".announcement_detail", announcement_id=announcement_id))


def _announcement_page(announcement_id: str, status: int = 200, form=None, errors=None):
    engine = wiring().engine
    row = queries.announcement(engine, announcement_id)
    if row is None:
        return _not_found("announcement")
    with engine.connect() as connection:
        size = segments.count(connection, Segment(row.segment), row.edition_id)
        first = connection.execute(segments.members(Segment(row.segment), row.edition_id).select().limit(1)).first()
    example = Recipient(email=first.email, full_name=first.full_name) if first else \
        Recipient(email="someone@example.in", full_name="(the recipient's name)")
    email = announcement_emails.announcement_email(row.subject, row.body, example)
    counts, failed = queries.announcement_progress(engine, announcement_id)
    return _page("announcement.html", status, announcement=row, size=size, example=example, labels=_segment_labels(),
                 preview=wiring().queue.renderer.render(email.template, email.context), counts=counts,
                 failed=failed, form=form or row._mapping, errors=errors or {}, segments=_segment_choices(),
                 **_editions())


@pages.get("/admin/announcements/<uuid:announcement_id>")
@organiser(*EVERY_ORGANISER, read_only=True)
def announcement_detail(announcement_id):
    return _announcement_page(str(announcement_id))


@pages.post("/admin/announcements/<uuid:announcement_id>")
@organiser(*ANNOUNCERS)
def change_announcement(announcement_id):
    try:
        draft = AnnouncementIn().load(request.form)
        announcements.update(wiring().engine, str(announcement_id), draft, actor=current_principal(),
                             correlation_id=current_correlation_id())
    except ValidationError as error:
        return _announcement_page(str(announcement_id), 422, form=request.form, errors=error.messages)
    except announcements.NotFound:
        return _not_found("announcement")
    except StateConflict as refusal:
        flash(str(refusal), "error")
    else:
        flash("Draft saved.", "success")
    return redirect(url_for(".announcement_detail", announcement_id=announcement_id))


@pages.post("/admin/announcements/<uuid:announcement_id>/send")
@organiser(*ANNOUNCERS)
def send_announcement(announcement_id):
    try:
        size = announcements.send(wiring().engine, str(announcement_id), actor=current_principal(),
                                  correlation_id=current_correlation_id())
        flash(f"Sending to {size} people. Progress and any failures show below.", "success")
    except announcements.NotFound:
        return _not_found("announcement")
    except StateConflict as refusal:
        flash(str(refusal), "error")
    return redirect(url_for(".announcement_detail", announcement_id=announcement_id))

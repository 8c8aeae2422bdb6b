"""How every service's Flask app is put together: health, access rules, rate limits, the back-office look."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, Flask, jsonify
from marshmallow import Schema, fields
from werkzeug.middleware.proxy_fix import ProxyFix

from shared.access import install_access, public
from shared.audit_views import audit_blueprint
from shared.auth import TokenVerifier, load_public_keys
from shared.db import database_is_reachable
from shared.rate_limits import PublicWriteLimits
from shared.kafka import broker_answers
from shared.metrics_endpoints import install_metrics
from shared.openapi import documented, openapi_blueprint
from shared.revocation import RevocationList
from shared.web import configure_web
from shared.web_ui import install_ui

EVENT_TIME_ZONE = ZoneInfo("Asia/Kolkata")


class AliveOut(Schema):
    status = fields.String(required=True)


class ReadyOut(Schema):
    status = fields.String(required=True, metadata={"enum": ["ready", "not_ready"]})
    checks = fields.Dict(keys=fields.String(), values=fields.String(metadata={"enum": ["up", "down"]}), required=True)


def health_blueprint(readiness_checks: dict[str, Callable[[], bool]]) -> Blueprint:
    """`/healthz`: the process answers. `/readyz`: every dependency in `readiness_checks` answers."""
    blueprint = Blueprint("health", __name__)

    @blueprint.get("/healthz")
    @public
    @documented("The process answers", responses={200: AliveOut})
    def alive():
        return jsonify(status="alive")

    @blueprint.get("/readyz")
    @public
    @documented("Every dependency (database, Kafka) answers", responses={200: ReadyOut, 503: ReadyOut})
    def ready():
        results = {name: ("up" if check() else "down") for name, check in readiness_checks.items()}
        ready_now = all(state == "up" for state in results.values())
        return jsonify(status="ready" if ready_now else "not_ready", checks=results), (200 if ready_now else 503)

    return blueprint



def in_event_time(moment: datetime | None) -> str:
    """A stored UTC time as people at the event read it."""
    return moment.astimezone(EVENT_TIME_ZONE).strftime("%d %b %Y %H:%M") if moment else "—"


def rate_limited(view):
    """Mark a public view that writes: it gets the per-client-address limit of PUBLIC_WRITE_RATE_LIMIT."""
    view.rate_limited = True
    return view


def new_service_app(import_name: str, *, engine, kafka, web, revoked_subjects, audit_log, blueprints) -> Flask:
    """A service's Flask app with what every service has: JSON errors, correlation ids,
    `/healthz` and `/readyz`, sign-in and access rules, rate limits, the back-office look."""
    app = Flask(import_name)
    app.config.update(SECRET_KEY=web.secret_key, SESSION_COOKIE_SECURE=web.secure_cookies,
                      SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_NAME=f"dpd_{import_name.split('.')[1]}_flash")
    configure_web(app)
    install_metrics(app, engine)  # first, so a request's time includes the access checks
    if web.proxy_hops:
        # x_prefix: behind the one-origin proxy (deploy/) a service lives under /<name>/ and its links must too.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=web.proxy_hops, x_proto=web.proxy_hops, x_host=web.proxy_hops,
                                x_prefix=web.proxy_hops)
    install_access(app, TokenVerifier(load_public_keys(list(web.public_key_files))),
                   RevocationList(engine, revoked_subjects),
                   organiser_sign_in_url=f"{web.service_urls['registration']}/admin/sign-in",
                   participant_sign_in_url=f"{web.service_urls['registration']}/access",
                   secure_cookies=web.secure_cookies)
    install_ui(app, service=import_name.split(".")[1], service_urls=web.service_urls)
    app.add_template_filter(in_event_time, "ist")
    app.context_processor(lambda: {"sign_out_url": f"{web.service_urls['registration']}/sign-out"})
    app.register_blueprint(health_blueprint({
        "database": lambda: database_is_reachable(engine),
        "kafka": lambda: broker_answers(kafka.bootstrap_servers),
    }))
    app.register_blueprint(openapi_blueprint(f"{import_name.split('.')[1]} API"))
    for blueprint in [audit_blueprint(engine, audit_log), *blueprints]:
        app.register_blueprint(blueprint)
    limits = PublicWriteLimits(web.public_write_limit, web.rate_limit_storage)
    for endpoint, view in list(app.view_functions.items()):
        if getattr(view, "rate_limited", False):
            app.view_functions[endpoint] = limits.guard(view)
    app.config["WEB_SETTINGS"] = web
    return app

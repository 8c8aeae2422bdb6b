"""Plugs the shared templates and stylesheet into one service's Flask app.

Each service renders its own back-office pages, yet they must read as one product: the same
layout, and a navigation that crosses services by plain links (services share no sessions or
code at run time, only these templates).
"""
from __future__ import annotations

from collections.abc import Mapping

from flask import Blueprint, Flask, g

STATIC_URL_PATH = "/ui-static"  # not /static: that stays free for a service's own files

# The back-office section each service owns, in the order the navigation lists them.
BACK_OFFICE_SECTIONS = (
    ("Registrations", "registration"),
    ("Meetings", "matchmaking"),
    ("Billing", "billing"),
    ("Notifications", "notification"),
)


def install_ui(app: Flask, *, service: str, service_urls: Mapping[str, str]) -> None:
    """Registers the "ui" blueprint (templates under `ui/`, static files under /ui-static/) and
    gives every template `service`, `nav` and `csrf_token()`.

    `service` is this app's own name; `service_urls` maps every service's name to the base
    URL people reach it at, e.g. {"registration": "http://127.0.0.1:8001", ...}.
    """
    nav = back_office_nav(service, service_urls)
    blueprint = Blueprint("ui", __name__, template_folder="templates", static_folder="static",
                          static_url_path=STATIC_URL_PATH)
    blueprint.app_context_processor(lambda: {"service": service, "nav": nav})
    app.register_blueprint(blueprint)
    # A global rather than a context variable, so macros imported without context
    # (`{% import "ui/forms.html" as forms %}`) can call it too.
    app.add_template_global(csrf_token)


def back_office_nav(service: str, service_urls: Mapping[str, str]) -> list[tuple[str, str, bool]]:
    """(label, url, is_current) for each back-office section; wrong input fails at start-up."""
    known = [name for _, name in BACK_OFFICE_SECTIONS]
    if service not in known:
        raise ValueError(f"unknown service {service!r}; expected one of {', '.join(known)}")
    missing = [name for name in known if name not in service_urls]
    if missing:
        raise ValueError(f"service_urls has no base URL for {', '.join(missing)}")
    return [(label, f"{service_urls[name].rstrip('/')}/admin/", name == service)
            for label, name in BACK_OFFICE_SECTIONS]


def csrf_token() -> str:
    """The token the sign-in layer put in `flask.g.csrf_token` for this request, or ""."""
    return g.get("csrf_token", "")

"""The shared back-office look seen in a real browser: a tiny app that uses install_ui, the
base layout, the form macros and a chart, opened in Chromium at desktop and phone width."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from flask import Flask, flash, g, render_template_string
from playwright.sync_api import Page, expect

from shared.testing.browser import DESKTOP, PHONE, serving
from shared.web_ui import install_ui
from shared.web_ui.charts import bar_chart, horizontal_bar_chart

SERVICE_URLS = {"registration": "http://127.0.0.1:8001", "matchmaking": "http://127.0.0.1:8002",
                "notification": "http://127.0.0.1:8003", "billing": "http://127.0.0.1:8004"}

VETTING_PAGE = """
{% extends "ui/base.html" %}
{% import "ui/forms.html" as forms %}
{% set show_nav = true %}
{% block title %}Vet a registration{% endblock %}
{% block content %}
<h1>Vet a registration</h1>
<ul class="tiles">
  <li class="tile"><span class="tile__figure">1,284</span> <span class="tile__label">Registrations</span></li>
  <li class="tile"><span class="tile__figure">37</span> <span class="tile__label">Awaiting vetting</span></li>
  <li class="tile"><span class="tile__figure">152</span> <span class="tile__label">Officers on the roster</span></li>
</ul>
{{ forms.errors_summary(errors, labels) }}
<form method="post" class="card">
  {{ forms.csrf_field() }}
  {{ forms.field("organisation_name", "Organisation name", value="Bharat Avionics <Pvt>", required=true,
                 autocomplete="organization") }}
  {{ forms.field("gstin", "GSTIN", value="07AAACB1234", errors=errors.gstin,
                 help="15 characters, e.g. 07AAACB1234C1Z5") }}
  {{ forms.select("organisation_type", "Organisation type", organisation_types, value="msme") }}
  {{ forms.textarea("reason", "Reason for the decision") }}
  <div class="actions">
    <button type="submit" class="button">Approve</button>
    <button type="submit" class="button button--secondary">Ask for changes</button>
    <button type="submit" class="button button--danger">Reject</button>
    <span class="badge badge--warning">Waitlisted</span>
  </div>
</form>
{{ per_day }}
{{ per_officer }}
{% endblock %}
"""


def make_showcase_app() -> Flask:
    app = Flask(__name__)
    app.secret_key = "browser-smoke-test"
    install_ui(app, service="registration", service_urls=SERVICE_URLS)

    @app.get("/admin/")
    def vetting_page():
        g.csrf_token = "token-from-the-sign-in-layer"
        flash("Registration DPD-0042 approved.", "success")
        per_day = bar_chart("Registrations per day", ["25 Nov", "26 Nov", "27 Nov <script>alert(1)</script>"],
                            {"MSME": [12, 30, 18], "Startup": [5, 9, 14], "Prime": [2, 4, 3]}, stacked=True)
        per_officer = horizontal_bar_chart("Meetings per officer", ["Cdr. A. Rao", "Col. P. Singh (DRDO)"], [14, 9],
                                           unit="meetings")
        return render_template_string(
            VETTING_PAGE, per_day=per_day, per_officer=per_officer,
            errors={"gstin": ["The check digit does not match."]}, labels={"gstin": "GSTIN"},
            organisation_types=[("prime", "Prime contractor"), ("msme", "MSME"), ("startup", "Startup")],
            viewer={"name": "Meera Iyer", "roles": ["organiser", "vetting"]}, sign_out_url="/sign-out")

    return app


@pytest.fixture
def vetting_page_url():
    with serving(make_showcase_app()) as base_url:
        yield f"{base_url}/admin/"


def test_a_person_sees_a_usable_back_office_page_that_never_leaves_the_machine(page: Page, vetting_page_url,
                                                                                 tmp_path):
    requested_hosts = []
    page.on("request", lambda request: requested_hosts.append(urlsplit(request.url).hostname))
    page.goto(vetting_page_url)

    expect(page).to_have_title("Vet a registration · Defence Partnership Days")
    navigation = page.get_by_role("navigation", name="Back-office")
    expect(navigation.get_by_role("link", name="Registrations")).to_have_attribute("aria-current", "page")
    expect(navigation.locator("[aria-current]")).to_have_count(1)
    expect(page.get_by_role("status")).to_have_text("Registration DPD-0042 approved.")

    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.get_by_text("Organisation name").click()
    expect(page.get_by_role("textbox", name="Organisation name")).to_be_focused()

    gstin = page.get_by_role("textbox", name="GSTIN")
    expect(gstin).to_have_attribute("aria-invalid", "true")
    expect(gstin).to_have_accessible_description(
        "15 characters, e.g. 07AAACB1234C1Z5 Error: The check digit does not match.")
    error = page.locator("#field-gstin-errors")
    assert 0 <= gstin.bounding_box()["y"] - _bottom(error) < 16, "the error sits right above its field"
    page.get_by_role("link", name="GSTIN: The check digit does not match.").click()
    expect(gstin).to_be_focused()

    expect(page.get_by_role("img", name="Registrations per day")).to_be_visible()
    expect(page.get_by_role("img", name="Meetings per officer")).to_be_visible()
    assert page.locator("script").count() == 0, "a label from user data became markup"
    assert page.locator("input[name=csrf_token]").evaluate_all("inputs => inputs.map(i => i.value)") == \
        ["token-from-the-sign-in-layer"] * 2  # the sign-out form and the vetting form

    for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], f"{name}: page scrolls sideways"
        page.screenshot(path=tmp_path / f"{name}.png", full_page=True)

    assert set(requested_hosts) == {"127.0.0.1"}, requested_hosts


def _bottom(locator) -> float:
    box = locator.bounding_box()
    return box["y"] + box["height"]

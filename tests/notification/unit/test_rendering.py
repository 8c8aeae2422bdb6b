"""Every email renders from the data its event carries; what people typed arrives as text, not markup."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

import pytest
from jinja2 import UndefinedError

from services.notification.adapters.rendering import Renderer
from services.notification.domain.messages import email_verification, registration_received


def submitted(name: str = "Ananya Rao", organisation: str = "Tejas Avionics") -> dict:
    person = {"delegate_id": uuid.uuid4(), "full_name": name, "email": "ananya@example.in"}
    return {"registration_id": uuid.uuid4(), "reference": "DPD-7K3M9QAB",
            "submitted_at": datetime(2026, 11, 25, 6, 0, tzinfo=timezone.utc),
            "organisation": {"legal_name": organisation}, "contact": person, "delegates": [person]}


def test_the_registration_received_email_names_the_reference_and_the_time_in_ist():
    [email] = registration_received(submitted())
    rendered = Renderer().render(email.template, email.context)

    assert email.recipient.email == "ananya@example.in"
    assert rendered.subject == "Registration received: Tejas Avionics (DPD-7K3M9QAB) is with the organisers"
    assert "Dear Ananya Rao" in rendered.text
    assert "25 Nov 2026, 11:30 IST" in rendered.text  # 06:00 UTC is 11:30 in New Delhi
    assert "DPD-7K3M9QAB" in rendered.html


def test_markup_in_names_is_escaped_in_html():
    [email] = registration_received(submitted(organisation='<script>alert("x")</script> Ltd'))
    rendered = Renderer().render(email.template, email.context)
    assert "<script>" not in rendered.html
    assert "&lt;script&gt;" in rendered.html


def test_a_template_asking_for_data_the_event_lacks_fails_loudly():
    [email] = registration_received(submitted())
    del email.context["reference"]
    with pytest.raises(UndefinedError):
        Renderer().render(email.template, email.context)


@pytest.mark.parametrize("registered_by, subject, says", [
    (None, "Confirm your email to complete the registration of Tejas Avionics (DPD-7K3M9QAB)",
     "Thank you for registering Tejas Avionics"),
    ("Ananya Rao", "Confirm your email: Ananya Rao named you a delegate of Tejas Avionics (DPD-7K3M9QAB)",
     "Ananya Rao has named you a delegate of Tejas Avionics"),
])
def test_each_delegate_is_asked_to_confirm_their_own_address(registered_by, subject, says):
    [email] = email_verification({
        "registration_id": uuid.uuid4(), "reference": "DPD-7K3M9QAB", "organisation_name": "Tejas Avionics",
        "email": "vikram@example.in", "full_name": "Vikram Singh", "registered_by": registered_by,
        "url": "https://dpd.example.in/verify/s3cret", "expires_at": datetime(2026, 11, 28, 6, 0, tzinfo=timezone.utc)})
    rendered = Renderer().render(email.template, email.context)

    assert email.recipient.email == "vikram@example.in"
    assert rendered.subject == subject
    assert "Dear Vikram Singh" in rendered.text and says in rendered.text
    assert "https://dpd.example.in/verify/s3cret" in rendered.text and 'href="https://dpd.example.in/verify/s3cret"' in rendered.html
    assert "28 Nov 2026, 11:30 IST" in rendered.text

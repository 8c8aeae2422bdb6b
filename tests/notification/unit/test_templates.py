"""Every email renders from sample data shaped as its event carries it, and a missing variable
is an error, never a blank in someone's inbox."""
from __future__ import annotations

import pytest
from jinja2 import UndefinedError

from services.notification.adapters.rendering import Renderer
from services.notification.catalogue import EMAILS_FOR, TEMPLATES_BY_NAME, sample_email
from services.notification.contracts import contracts
from services.notification.domain.announcements import announcement_email
from services.notification.domain.meetings import MeetingLinks
from services.notification.samples import EVENTS, RECIPIENT

LINKS = MeetingLinks.of("https://dpd.example.in/matchmaking")
RENDERER = Renderer()


def test_the_catalogue_lists_exactly_the_templates_in_the_folder():
    assert RENDERER.template_names() == set(TEMPLATES_BY_NAME)


def test_every_event_that_calls_for_emails_has_a_contract_and_a_sample():
    assert set(EMAILS_FOR) <= set(contracts().types)
    assert set(EMAILS_FOR) == set(EVENTS)


def test_every_event_the_issue_names_has_its_template():
    wanted = {"registration_received", "email_verification", "registration_approved", "registration_rejected",
              "registration_waitlisted", "registration_changes_requested", "badge_ready", "meeting_requested",
              "meeting_accepted", "meeting_declined", "meeting_expired", "meeting_scheduled", "meeting_moved",
              "meeting_cancelled", "order_placed", "hold_expiring", "payment_received", "invoice_issued",
              "credit_note_issued"}
    assert wanted <= set(TEMPLATES_BY_NAME)


@pytest.mark.parametrize("name", sorted(TEMPLATES_BY_NAME))
def test_every_template_renders_its_sample_with_a_subject_text_and_html(name):
    email = sample_email(name, LINKS)
    rendered = RENDERER.render(email.template, email.context)

    assert email.template == name
    assert rendered.subject and "\n" not in rendered.subject and "{{" not in rendered.subject
    assert rendered.text.startswith(f"Dear {email.recipient.full_name},")
    assert f"Dear {email.recipient.full_name}," in rendered.html and rendered.html.rstrip().endswith("</html>")
    assert "{{" not in rendered.text + rendered.html


@pytest.mark.parametrize("name", sorted(TEMPLATES_BY_NAME))
def test_a_template_given_only_a_name_fails_loudly(name):
    with pytest.raises(UndefinedError):
        RENDERER.render(name, {"full_name": "Ananya Rao"})


def test_money_dates_and_links_read_as_people_expect():
    order = RENDERER.render("order_placed", sample_email("order_placed", LINKS).context)
    assert "₹7,67,000.00" in order.subject and "1 x Silver sponsorship: ₹5,90,000.00" in order.text
    assert "20 Nov 2026, 11:30 IST" in order.text  # 06:00 UTC, in New Delhi
    scheduled = RENDERER.render("meeting_scheduled", sample_email("meeting_scheduled", LINKS).context)
    assert scheduled.subject == "Meeting with Cdr R. Iyer: 28 Nov 2026, 10:00–10:20 IST, table G12"
    assert 'href="https://dpd.example.in/matchmaking/me/agenda"' in scheduled.html


def test_a_digest_lists_every_request_it_groups():
    digest = RENDERER.render("meeting_requests_digest", sample_email("meeting_requests_digest", LINKS).context)
    assert digest.subject == "3 new meeting requests for you at Defence Partnership Days"
    for company in ("Tejas Avionics Private Limited", "Bharat Composites Ltd", "Sagar Robotics"):
        assert company in digest.text and company in digest.html


def test_an_announcement_keeps_the_organisers_paragraphs_and_escapes_their_markup():
    email = announcement_email("Gates open at 08:00", "First <b>line</b>.\n\n\nSecond paragraph.", RECIPIENT)
    rendered = RENDERER.render(email.template, email.context)
    assert rendered.html.count("<p style=\"white-space: pre-line;\">") == 2
    assert "&lt;b&gt;line&lt;/b&gt;" in rendered.html and "First <b>line</b>." in rendered.text


def test_a_persons_language_picks_its_own_version_and_falls_back_to_english(tmp_path):
    (tmp_path / "hi").mkdir()
    for part, content in ((".subject.txt", "Hello {{ full_name }}"), (".txt", "Dear {{ full_name }}"),
                          (".html", "<p>Dear {{ full_name }}</p>")):
        (tmp_path / f"greeting{part}").write_text(content)
    (tmp_path / "hi" / "greeting.subject.txt").write_text("नमस्ते {{ full_name }}")
    renderer = Renderer(tmp_path)

    in_hindi = renderer.render("greeting", {"full_name": "Ananya"}, "hi")
    assert in_hindi.subject == "नमस्ते Ananya" and in_hindi.text == "Dear Ananya"  # no Hindi text part: English
    assert renderer.render("greeting", {"full_name": "Ananya"}).subject == "Hello Ananya"


"""Who hears what, in plain Python: money and times as people read them, buyers, digests, retries."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from services.notification import contracts as c
from services.notification.dispatcher import retry_delay
from services.notification.domain import orders
from services.notification.domain.digests import DigestItem, digest_email
from services.notification.domain.formatting import local_slot, rupees
from services.notification.domain.messages import Recipient
from services.notification.samples import EVENTS


@pytest.mark.parametrize("paise, reads", [(0, "₹0.00"), (99, "₹0.99"), (100000, "₹1,000.00"),
                                          (11800000, "₹1,18,000.00"), (1234567890, "₹1,23,45,678.90"),
                                          (-17700000, "-₹1,77,000.00")])
def test_rupees_are_grouped_the_indian_way(paise, reads):
    assert rupees(paise) == reads


def test_a_slot_reads_in_the_editions_time_zone():
    start, end = datetime(2026, 11, 28, 4, 30, tzinfo=timezone.utc), datetime(2026, 11, 28, 4, 50, tzinfo=timezone.utc)
    assert local_slot(start, end) == "28 Nov 2026, 10:00–10:20 IST"
    assert local_slot(start, end, "Europe/Paris") == "28 Nov 2026, 05:30–05:50 CET"


def test_an_order_whose_contact_was_erased_emails_nobody():
    data = EVENTS[c.INVOICE_ISSUED]
    assert [e.recipient.email for e in orders.invoice_issued(data)] == ["ananya.rao@tejas-avionics.example.in"]
    erased = {**data, "buyer": {**data["buyer"], "contact_name": None, "contact_email": None}}
    assert orders.invoice_issued(erased) == []


def test_one_waiting_request_reads_as_itself_and_several_as_one_digest():
    officer = Recipient(email="r.iyer@navy.example.in", full_name="Cdr R. Iyer")
    one = DigestItem("meeting_requested", {"agenda": "Sonar domes"})
    assert digest_email("meeting_requests", officer, [one]).template == "meeting_requested"
    several = digest_email("meeting_requests", officer, [one, DigestItem("meeting_requested", {"agenda": "UUVs"})])
    assert several.template == "meeting_requests_digest" and several.context["count"] == 2
    assert [item["agenda"] for item in several.context["items"]] == ["Sonar domes", "UUVs"]
    with pytest.raises(ValueError):
        digest_email("meeting_requests", officer, [])


def test_retries_back_off_exponentially_up_to_a_quarter_of_an_hour():
    assert [retry_delay(n, 2.0).total_seconds() for n in (1, 2, 3, 4)] == [2, 4, 8, 16]
    assert retry_delay(30, 2.0).total_seconds() == 900

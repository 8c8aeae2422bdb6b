"""The life of a registration: every decision guarded by where it stands."""
from __future__ import annotations

import pytest

from services.registration.domain.vetting import (
    Decision, Outcome, Status, TransitionRefused, amend, cancel, decide, verify_email)
from shared.errors import InvalidFields


def test_a_confirmed_email_sends_the_registration_to_vetting_and_a_second_click_changes_nothing():
    assert verify_email(Status.AWAITING_VERIFICATION, every_address_confirmed=True) is Status.SUBMITTED
    assert verify_email(Status.AWAITING_VERIFICATION, every_address_confirmed=False) is Status.AWAITING_VERIFICATION, \
        "one delegate's address is still unconfirmed"
    assert verify_email(Status.APPROVED, every_address_confirmed=True) is Status.APPROVED


def test_approval_takes_a_place_while_there_is_one_and_waitlists_once_the_category_is_full():
    assert decide(Status.SUBMITTED, Decision.APPROVE, places_left=1) == Outcome(Status.APPROVED)
    assert decide(Status.SUBMITTED, Decision.APPROVE, places_left=None) == Outcome(Status.APPROVED)
    full = decide(Status.SUBMITTED, Decision.APPROVE, places_left=0)
    assert full.status is Status.WAITLISTED and "full" in full.note
    with pytest.raises(TransitionRefused, match="stays on the waitlist"):
        decide(Status.WAITLISTED, Decision.APPROVE, places_left=0)
    assert decide(Status.WAITLISTED, Decision.APPROVE, places_left=2).status is Status.APPROVED


@pytest.mark.parametrize("current", [Status.AWAITING_VERIFICATION, Status.APPROVED, Status.REJECTED, Status.CANCELLED])
def test_nothing_unverified_or_already_decided_can_be_approved_again(current):
    with pytest.raises(TransitionRefused):
        decide(current, Decision.APPROVE, places_left=None)


@pytest.mark.parametrize("decision", [Decision.REJECT, Decision.REQUEST_CHANGES])
def test_a_rejection_or_a_request_for_changes_must_tell_the_registrant_why(decision):
    with pytest.raises(InvalidFields) as missing:
        decide(Status.SUBMITTED, decision, places_left=None, message="  ")
    assert "message" in missing.value.errors
    assert decide(Status.SUBMITTED, decision, places_left=None, message="GSTIN does not match the state").status in (
        Status.REJECTED, Status.CHANGES_REQUESTED)


def test_changes_go_back_to_the_queue_once_amended():
    assert decide(Status.SUBMITTED, Decision.REQUEST_CHANGES, places_left=None,
                  message="Add a DPIIT number").status is Status.CHANGES_REQUESTED
    assert amend(Status.CHANGES_REQUESTED) is Status.SUBMITTED
    with pytest.raises(TransitionRefused):
        amend(Status.SUBMITTED)


def test_only_cancelling_an_approved_registration_frees_a_place():
    assert cancel(Status.APPROVED) == (Status.CANCELLED, True)
    assert cancel(Status.WAITLISTED) == (Status.CANCELLED, False)
    with pytest.raises(TransitionRefused):
        cancel(Status.CANCELLED)

"""A claim's history in plain words for its clawback: the request (each mentor's hours and amount, the total),
the approval and the rejection (its reason)."""

from __future__ import annotations

from shared.claims.claim_history import history


def _event(action: str, detail: dict[str, object], reason: str | None = None) -> dict[str, object]:
    return {
        "id": "2026-11-28T10:30:00+00:00#5",
        "action": action,
        "actor": "user-colin-chapman",
        "detail": detail,
        "reason": reason,
    }


def test_the_request_names_each_mentors_hours_and_the_total() -> None:
    mentors = [
        {
            "trn": "1",
            "mentor": "Ada Lovelace",
            "hours_claimed": 6,
            "hours_completed": 2,
            "hours_clawed_back": 3,
            "pence": 13140,
            "lowered_reason": "One session was online",
        },
        {
            "trn": "2",
            "mentor": "Alan Turing",
            "hours_claimed": 6,
            "hours_completed": 5,
            "hours_clawed_back": 1,
            "pence": 4380,
            "lowered_reason": "",
        },
    ]
    [entry] = history([_event("clawback_requested", {"mentors": mentors, "total_pence": 17520})], {})
    assert entry.what == "Clawback requested"
    assert entry.details == (
        "Ada Lovelace: 3 hours clawed back (£131.40), fewer than the 4 not completed: One session was online",
        "Alan Turing: 1 hour clawed back (£43.80)",
        "Total to claw back: £175.20",
    )


def test_the_approval_and_the_rejection_say_the_total_and_why() -> None:
    approved, rejected = history(
        [
            _event("clawback_rejected", {"total_pence": 17520}, "The school sent the register"),
            _event("clawback_approved", {"total_pence": 4380}),
        ],
        {},
    )
    assert (approved.what, approved.details) == ("Clawback approved", ("Total to claw back: £43.80",))
    assert (rejected.what, rejected.reason) == ("Clawback rejected", "The school sent the register")
    assert rejected.details == ("Total to claw back: £175.20",)

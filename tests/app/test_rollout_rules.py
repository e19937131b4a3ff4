"""The Rollout and Team panels' rules, without Qt: confirmations, rule text, last owner."""

from __future__ import annotations

from app import rollout, team


def _ready(*items: tuple[str, bool, bool]) -> dict[str, object]:
    return {
        "items": [
            {"key": k, "title": k.title(), "summary": f"{k} summary", "ready": r, "blocking": b}
            for k, r, b in items
        ]
    }


def test_go_live_lists_open_blocking_items_to_acknowledge() -> None:
    ready = _ready(("emails", False, True), ("branding", True, True), ("pilot", False, False))
    text = rollout.go_live_confirmation(ready)
    assert text.needs_acknowledgement and text.button == "Go live anyway"
    assert text.open_items == [("emails", "Emails", "emails summary")]
    assert text.advice == ["Pilot: pilot summary"]
    assert any("sign-in page" in line for line in text.changes)


def test_go_live_when_ready_and_the_held_invites_count() -> None:
    ready = _ready(("emails", True, True), ("team", True, True))
    text = rollout.go_live_confirmation(ready, held_invites=3)
    assert not text.needs_acknowledgement and text.button == "Go live"
    assert any("3 invites were held" in line for line in text.changes)
    one = rollout.go_live_confirmation(ready, held_invites=1)
    assert any("1 invite was held" in line for line in one.changes)
    none = rollout.go_live_confirmation(ready, held_invites=0)
    assert any("No invites are waiting" in line for line in none.changes)


def test_switch_back_spells_out_what_happens_to_signed_in_customers() -> None:
    text = rollout.switch_back_confirmation({"signed_in": 12, "invited": 40})
    joined = " ".join(text.changes)
    assert "12 customers who have signed in" in joined
    assert "stay signed in" in joined and "40 customers were invited" in joined
    assert text.button == "Switch back" and not text.needs_acknowledgement


def test_rule_form_and_texts() -> None:
    rule = rollout.rule_from_form(6, 2, True, True, 0)
    assert rule == {
        "months": 6,
        "min_jobs": 2,
        "open_work": True,
        "not_invited": True,
        "size": None,
    }
    assert rollout.describe_rule({**rule, "size": 50}) == (
        "2 or more jobs in the last 6 months, with an open quote or invoice, not yet invited, "
        "at most 50"
    )
    match = {"matched": 7, "total_customers": 100, "sample": ["A", "B"], "problem": None}
    assert rollout.match_text(match) == "7 of 100 customers match: A, B and 5 more."
    assert rollout.match_text({**match, "problem": "No one."}) == "No one."
    rows = rollout.funnel_rows({"customers": 4, "invited": 2, "accepted": 1, "signed_in": 1})
    assert rows[0] == ("Invited", 2, "50%") and rows[-1] == ("Did something", 0, "0%")
    assert rollout.percent(1, 0) == "0%"


def test_last_owner_rule_and_permission_texts() -> None:
    members = [
        {"id": 1, "role": "owner", "active": True},
        {"id": 2, "role": "manager", "active": True},
        {"id": 3, "role": "owner", "active": False},
    ]
    assert team.last_owner_problem(members, 1, "manager", None) == team.LAST_OWNER
    assert team.last_owner_problem(members, 1, None, False) == team.LAST_OWNER
    assert team.last_owner_problem(members, 1, "owner", None) is None
    assert team.last_owner_problem(members, 2, "dispatcher", None) is None
    members[2]["active"] = True
    assert team.last_owner_problem(members, 1, "manager", None) is None
    tip = team.why_not("edit_workspace", "manager")
    assert "(edit_workspace)" in tip and "manager" in tip and "Go live" in tip
    assert team.label("something_new") == "Something new"
    assert team.changed_roles(
        {"owner": ["a"], "manager": ["b"]}, {"owner": ["a"], "manager": []}
    ) == {"manager": []}
    assert team.status_text({"status": "invited"}) == "Invited, has not joined yet"

"""Portal access in plain English, exactly as the issue words it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.access_text import describe_account, describe_event, last_sign_in
from app.csv_io import emails_in, to_csv

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def test_expired_invite() -> None:
    account = {
        "portal_status": "invite_expired",
        "invite": {
            "sent_at": (NOW - timedelta(days=9)).isoformat(),
            "expires_at": (NOW - timedelta(days=2)).isoformat(),
            "sent_by": None,
            "revoked_at": None,
        },
    }
    assert describe_account(account, NOW) == "Invite sent 9 days ago; it expired 2 days ago."


def test_locked_until_local_time() -> None:
    until = NOW + timedelta(minutes=65)
    text = describe_account(
        {"portal_status": "locked", "failed_attempts": 5, "locked_until": until.isoformat()}, NOW
    )
    assert text.startswith(f"Locked after 5 wrong passwords until {until.astimezone():%H:%M}.")


def test_disabled_by_whom_when_why() -> None:
    account = {
        "portal_status": "disabled",
        "disabled_by": "Sam",
        "disabled_at": datetime(2026, 11, 3, 12, tzinfo=UTC).isoformat(),
        "disabled_reason": "moved out",
    }
    assert describe_account(account, NOW).startswith("Disabled by Sam on 3 Nov: moved out.")


def test_no_account_and_never_signed_in() -> None:
    assert describe_account(None, NOW) == "Not invited to the portal yet."
    assert last_sign_in(None, NOW) == "Never"
    assert last_sign_in((NOW - timedelta(hours=3)).isoformat(), NOW) == "3 hours ago"


def test_event_line() -> None:
    event = {
        "action": "portal.access_disabled",
        "actor_kind": "staff",
        "actor_name": "Sam",
        "detail": {"reason": "moved out"},
        "created_at": NOW.isoformat(),
    }
    assert describe_event(event, NOW).endswith("Sam disabled portal access: moved out")


def test_emails_in_pasted_text_and_csv_injection() -> None:
    text = 'name,email\n"Ada",ADA@x.example\nBob <bob@y.example>; ada@x.example\nnot-an-email'
    assert emails_in(text) == ["ada@x.example", "bob@y.example"]
    assert to_csv([["=1+1", "ok"]]) == "'=1+1,ok\r\n"

"""Portal access in plain English, exactly as the issue words it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.access_text import clock, day, describe_account, describe_event, last_sign_in
from app.csv_io import emails_in, to_csv
from app.workspace_settings import local_format
from server.wire.local_time import LocalFormat

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
# An Oregon plumber: 12:00 UTC is 4:00 AM there (PST, UTC-8).
OREGON = LocalFormat("America/Los_Angeles", "en_US")


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
    assert (
        describe_account(account, NOW, OREGON) == "Invite sent 9 days ago; it expired 2 days ago."
    )


def test_invite_expiry_in_the_workspace_time_zone() -> None:
    account = {
        "portal_status": "invited",
        "invite": {"sent_at": NOW.isoformat(), "expires_at": (NOW + timedelta(days=7)).isoformat()},
    }
    text = describe_account(account, NOW, OREGON)
    assert text == "Invite sent just now; it expires in 7 days (4:00\u202fAM on Dec 2)."


def test_locked_until_the_business_local_time() -> None:
    until = NOW + timedelta(minutes=65)
    locked = {"portal_status": "locked", "failed_attempts": 5, "locked_until": until.isoformat()}
    text = describe_account(locked, NOW, OREGON)
    assert text.startswith("Locked after 5 wrong passwords until 5:05\u202fAM.")
    # A British business reads its own clock, whatever this computer's zone is.
    london = LocalFormat("Europe/London", "en_GB")
    assert describe_account(locked, NOW, london).startswith(
        "Locked after 5 wrong passwords until 13:05."
    )
    # No zone chosen yet: UTC, and said so.
    unset = describe_account(locked, NOW, LocalFormat(None))
    assert unset.startswith("Locked after 5 wrong passwords until 1:05\u202fPM UTC.")


def test_disabled_by_whom_when_why() -> None:
    account = {
        "portal_status": "disabled",
        "disabled_by": "Sam",
        "disabled_at": datetime(2026, 11, 3, 12, tzinfo=UTC).isoformat(),
        "disabled_reason": "moved out",
    }
    assert describe_account(account, NOW, OREGON).startswith("Disabled by Sam on Nov 3: moved out.")
    gb = LocalFormat("Europe/London", "en_GB")
    assert describe_account(account, NOW, gb).startswith("Disabled by Sam on 3 Nov: moved out.")


def test_no_account_and_never_signed_in() -> None:
    assert describe_account(None, NOW, OREGON) == "Not invited to the portal yet."
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
    assert (
        describe_event(event, NOW, OREGON) == "4:00\u202fAM  Sam disabled portal access: moved out"
    )


def test_dates_cross_midnight_and_years_in_the_business_zone() -> None:
    # 03:00 UTC on Nov 25 is still Nov 24 in Oregon: "another day" there, with its date.
    early = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
    assert clock(early, NOW, OREGON) == "7:00\u202fPM on Nov 24"
    assert day(datetime(2025, 6, 1, 12, tzinfo=UTC), NOW, OREGON) == "Jun 1, 2025"
    assert day(None, NOW, OREGON) == "" and clock(None, NOW, OREGON) == ""


def test_the_workspace_format_comes_from_its_settings() -> None:
    assert local_format({"time_zone": "America/Denver", "locale": "en_GB"}) == LocalFormat(
        "America/Denver", "en_GB"
    )
    assert local_format(None) == LocalFormat(None, "en_US")
    assert local_format({"time_zone": "", "locale": None}) == LocalFormat(None, "en_US")


def test_emails_in_pasted_text_and_csv_injection() -> None:
    text = 'name,email\n"Ada",ADA@x.example\nBob <bob@y.example>; ada@x.example\nnot-an-email'
    assert emails_in(text) == ["ada@x.example", "bob@y.example"]
    assert to_csv([["=1+1", "ok"]]) == "'=1+1,ok\r\n"

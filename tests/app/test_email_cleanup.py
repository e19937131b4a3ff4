"""The clean-up tab's rows and counts, and the email rule the console shares with the server."""

from __future__ import annotations

import pytest

from app import email_cleanup
from app.rollout_summary import rollout_lines, status_counts
from server.wire.emails import email_problem


def contact(i: int, email: str | None) -> dict[str, object]:
    return {
        "contact_id": i,
        "contact_name": f"C{i}",
        "email": email,
        "customer_id": i,
        "customer_name": f"Customer {i}",
        "has_portal_account": False,
    }


def report(limit: int = 500) -> dict[str, object]:
    shared = [contact(10 + i, "family@shared.example") for i in range(5)]
    return {
        "limit": limit,
        "invalid": {
            "count": 2,
            "contact_count": 2,
            "items": [{**contact(1, "x"), "problem": "This email has no @."}],
        },
        "missing": {"count": 1, "contact_count": 1, "items": [contact(2, None)]},
        "duplicated": {"count": 0, "contact_count": 0, "items": []},
        "shared": {
            "count": 1,
            "contact_count": 5,
            "items": [{"email": "family@shared.example", "customer_count": 5, "contacts": shared}],
        },
    }


def test_rows_name_every_contact_with_its_problem() -> None:
    rows = email_cleanup.rows(report())
    assert [r["kind"] for r in rows] == ["invalid", "missing"] + ["shared"] * 5
    assert rows[0]["problem"] == "This email has no @."
    assert rows[1]["problem"] == "There is no email address."
    assert rows[2]["problem"] == "family@shared.example is the email of 5 contacts of 5 customers."


def test_summary_counts_are_the_servers_and_say_emails_and_contacts() -> None:
    text = email_cleanup.summary(report())
    assert text == (
        "To fix before inviting everyone: 2 emails with a problem; 1 contact without an email; "
        "1 email shared by several customers (5 contacts). The list shows the first 500 of "
        "each kind."
    )
    clean = {k: {"count": 0, "contact_count": 0, "items": []} for k in email_cleanup.KINDS}
    assert "nothing to clean up" in email_cleanup.summary({"limit": 500, **clean})
    assert email_cleanup.total_problems(report()) == 4


@pytest.mark.parametrize(
    ("email", "problem"),
    [
        ("not-an-email", "This email has no @."),
        ("a@b@c.example", "This email has more than one @."),
        ("bob smith@example.com", "This email has a space in it."),
        ("@example.com", "This email has nothing before the @."),
        ("bob@", "This email has nothing after the @."),
        ("bob@example,com", "This email has a comma after the @ (a dot was meant?)."),
        ("bob@localhost", "This email has no dot after the @ (like example.com)."),
        (".bob@example.com", "This email starts or ends with a dot before the @."),
        ("bob@example.c0m", "This email does not end in a domain ending like .com or .co.uk."),
        ("", "There is no email address."),
        (None, "There is no email address."),
        (
            "x" * 250 + "@example.com",
            "This email is too long to be a real address (over 254 characters).",
        ),
    ],
)
def test_problems_are_worded_as_problems(email: str | None, problem: str) -> None:
    assert email_problem(email) == problem


def test_good_addresses_pass() -> None:
    for email in ("ada@analytical.example", " Mixed.Case+tag@Sub.Example.co.uk "):
        assert email_problem(email) is None


def test_rollout_summary_counts_by_status() -> None:
    counts = status_counts(bytearray([0, 0, 3, 1, 2, 3, 3, 3]))
    assert counts == {
        "not_invited": 2,
        "invited": 1,
        "invite_expired": 1,
        "active": 4,
        "locked": 0,
        "disabled": 0,
    }
    lines = rollout_lines(counts, portal_active=True)
    assert lines[0] == "8 customers. Their primary contacts' portal access:"
    assert "• 4 active (50%)" in lines and not any("locked" in line for line in lines)
    assert not any("coming soon" in line for line in lines)
    assert any("held" in line for line in rollout_lines(counts, portal_active=False))
    assert rollout_lines(status_counts(b""), True)[0].startswith("No customers yet")

"""Bulk-invite rules without Qt: pasted lines matched to every contact, and the pilot group."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.bulk_choice import (
    Contact,
    contacts_from_records,
    match_pasted,
    pilot_customers,
    plural,
    shared_with,
)

PM = "pm@lettings.example"
CONTACTS = [
    Contact(1, 10, "Ada Lovelace", "ada@analytical.example", "owner", True, "Lovelace"),
    *[
        Contact(100 + i, 20 + i, "Pat Manager", PM.upper(), "property manager", False, f"Flat {i}")
        for i in range(5)
    ],
    Contact(200, 30, "No Mail", None, "", True, "Empty House"),
]


def test_an_email_on_five_customers_property_manager_matches_all_five() -> None:
    choice = match_pasted(PM, CONTACTS)
    assert choice.contact_ids == [100, 101, 102, 103, 104]
    (line,) = choice.lines
    assert line.outcome == "matched"
    assert line.detail.startswith("5 contacts: Pat Manager (Flat 0)")
    assert line.detail.endswith("and 2 more.")
    assert choice.summary() == "1 pasted email: 1 matched 5 contacts."


def test_every_line_has_an_outcome_and_a_reason() -> None:
    text = (
        "name,email\n"  # a CSV header
        "Ada <ADA@analytical.example>; nobody@nowhere.example\n"
        "\n"
        "   \n"
        "not-an-email\n"
        "bob@host\n"
        "ada@analytical.example\n"
        "\ufeff" + PM + "\n"
    )
    choice = match_pasted(text, CONTACTS)
    got = [(line.line, line.email, line.outcome) for line in choice.lines]
    assert got == [
        (1, None, "not_an_email"),
        (2, "ada@analytical.example", "matched"),
        (2, "nobody@nowhere.example", "unknown_email"),
        (5, None, "not_an_email"),
        (6, None, "not_an_email"),
        (7, "ada@analytical.example", "repeated"),
        (8, PM, "matched"),
    ]
    assert all(line.detail for line in choice.lines)
    reasons = {line.line: line.detail for line in choice.skipped}
    assert reasons[6] == "This line has an @ but no whole email address (like name@example.com)."
    assert reasons[7] == "Already listed on line 2."
    assert choice.contact_ids == [1, 100, 101, 102, 103, 104]
    assert choice.summary() == (
        "4 pasted emails: 2 matched 6 contacts; 1 matched no contact; 1 listed twice. "
        "3 lines held no email address."
    )
    record = choice.skipped[0].as_record()
    assert record["outcome"] == "not_an_email" and record["email"] == "name,email"


def test_nothing_usable_pasted() -> None:
    assert match_pasted("", CONTACTS).summary() == "Nothing was pasted."
    choice = match_pasted("hello\nworld", CONTACTS)
    assert choice.contact_ids == []
    assert choice.summary() == "No email address was pasted. 2 lines held no email address."


def test_plural_reads_right() -> None:
    assert plural(1, "pasted email") == "1 pasted email"
    assert plural(2, "pasted email") == "2 pasted emails"
    assert plural(0, "contact") == "0 contacts"
    assert plural(12045, "email") == "12,045 emails"


def test_contacts_from_cached_records() -> None:
    records = [
        {"id": 5, "customer_id": 9, "name": "Kim", "email": "kim@x.example", "role": "billing"},
        {"id": 6, "customer_id": 99, "name": None, "email": None, "is_primary": True},
    ]
    got = contacts_from_records(records, {9: "Kim's House"})
    assert got[0] == Contact(5, 9, "Kim", "kim@x.example", "billing", False, "Kim's House")
    assert got[1].name == "" and got[1].customer_name == "" and got[1].is_primary


def test_pilot_group_counts_jobs_of_the_last_twelve_months() -> None:
    now = datetime(2026, 6, 1, tzinfo=UTC)

    def job(customer: int, days_ago: int, field: str = "completed_at") -> dict[str, object]:
        return {"customer_id": customer, field: (now - timedelta(days=days_ago)).isoformat()}

    jobs = [
        *[job(1, d) for d in (10, 100, 200)],  # three recent: in
        *[job(2, d) for d in (10, 400, 500)],  # one recent: out
        job(3, 5),
        job(3, -0.5 * 1, "scheduled_start"),  # booked for tomorrow: counts
        job(3, -30, "scheduled_start"),  # next month: does not
        {"customer_id": 4},  # no date at all: ignored
    ]
    assert pilot_customers(jobs, 3, now) == {1}
    assert pilot_customers(jobs, 2, now) == {1, 3}
    assert pilot_customers([], 2, now) == set()


def test_shared_with_looks_at_every_contact_of_other_customers() -> None:
    emails = {1: "ADA@analytical.example", 2: PM, 3: None, 4: "  "}
    got = shared_with(CONTACTS, 10, emails)
    assert got == {1: [], 2: ["Flat 0", "Flat 1", "Flat 2", "Flat 3", "Flat 4"], 3: [], 4: []}
    # The customer's own contacts never count as "another customer".
    assert shared_with(CONTACTS, 20, {100: PM})[100] == ["Flat 1", "Flat 2", "Flat 3", "Flat 4"]

"""Who a bulk invite goes to: pasted or imported emails matched to contacts, and the pilot group.

These are the rules; the Bulk invite tab only lays their answers out. Pasted text is read line
by line and every line gets an outcome and a reason, so nothing pasted silently disappears.
An address is matched against every contact of every customer (not only primary contacts):
the property manager who looks after five customers is five contacts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from app.portal_status import aware
from server.wire.emails import normalise_email

# What a bulk run lists for each pasted line that leads to nobody (the server's outcomes for
# the contacts that were matched are listed beside these).
LINE_OUTCOMES = {
    "not_an_email": "Not an email",
    "unknown_email": "No contact has this email",
    "repeated": "Listed twice",
}
_EMAIL = re.compile(r"[^\s,;<>\"'()\[\]]+@[^\s,;<>\"'()\[\]]+\.[^\s,;<>\"'()\[\]]+")


@dataclass(frozen=True)
class Contact:
    """A contact as the console caches it, with the customer it belongs to."""

    id: int
    customer_id: int
    name: str
    email: str | None
    role: str = ""
    is_primary: bool = False
    customer_name: str = ""


@dataclass(frozen=True)
class PastedLine:
    """One address (or one line without any) of the pasted text, and what it came to."""

    line: int
    text: str
    email: str | None
    outcome: str  # "matched" or a key of LINE_OUTCOMES
    detail: str
    contacts: tuple[Contact, ...] = ()

    def as_record(self) -> dict[str, Any]:
        """The line as a row of the results table (only lines that lead to nobody are shown)."""
        return {
            "line": self.line,
            "contact_name": None,
            "email": self.email or self.text,
            "outcome": self.outcome,
            "detail": self.detail,
        }


@dataclass
class PastedChoice:
    """Every pasted line's outcome, and the contacts to invite."""

    lines: list[PastedLine] = field(default_factory=list)

    @property
    def contact_ids(self) -> list[int]:
        """The matched contacts, each once, in the order they were pasted."""
        ids = (c.id for line in self.lines for c in line.contacts)
        return list(dict.fromkeys(ids))

    @property
    def skipped(self) -> list[PastedLine]:
        """Lines that lead to nobody, with the reason."""
        return [line for line in self.lines if line.outcome != "matched"]

    def summary(self) -> str:
        """What the paste came to, counted in words that read right for one or many."""
        if not self.lines:
            return "Nothing was pasted."
        emails = sum(1 for line in self.lines if line.email is not None)
        count = {k: sum(1 for line in self.lines if line.outcome == k) for k in LINE_OUTCOMES}
        matched = sum(1 for line in self.lines if line.outcome == "matched")
        parts = []
        if matched:
            parts.append(f"{matched:,} matched {plural(len(self.contact_ids), 'contact')}")
        if count["unknown_email"]:
            parts.append(f"{count['unknown_email']:,} matched no contact")
        if count["repeated"]:
            parts.append(f"{count['repeated']:,} listed twice")
        text = (
            f"{plural(emails, 'pasted email')}: {'; '.join(parts)}."
            if emails
            else "No email address was pasted."
        )
        if count["not_an_email"]:
            text += f" {plural(count['not_an_email'], 'line')} held no email address."
        return text


def plural(n: int, word: str) -> str:
    """ "1 contact", "3 contacts", "1,204 emails"."""
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"


def contacts_from_records(
    records: Iterable[Mapping[str, Any]], customer_names: Mapping[int, str]
) -> list[Contact]:
    """Contacts from the cached ``contact`` records, with their customers' names."""
    out = []
    for r in records:
        customer_id = int(r.get("customer_id") or 0)
        out.append(
            Contact(
                id=int(r["id"]),
                customer_id=customer_id,
                name=str(r.get("name") or ""),
                email=r.get("email"),
                role=str(r.get("role") or ""),
                is_primary=bool(r.get("is_primary")),
                customer_name=customer_names.get(customer_id, ""),
            )
        )
    return out


def shared_with(
    contacts: Iterable[Contact], customer_id: int, emails: Mapping[int, str | None]
) -> dict[int, list[str]]:
    """For each of one customer's contacts (id -> email): the other customers, by name, that
    have a contact with the same email. Every contact is looked at, not only primary ones."""
    wanted = {normalise_email(e) for e in emails.values() if e and e.strip()}
    others: dict[str, set[str]] = {}
    for c in contacts:
        if c.customer_id != customer_id and c.email and c.email.strip():
            email = normalise_email(c.email)
            if email in wanted:
                others.setdefault(email, set()).add(c.customer_name or f"customer {c.customer_id}")
    return {
        contact_id: sorted(others.get(normalise_email(email or ""), ()))
        for contact_id, email in emails.items()
    }


def match_pasted(text: str, contacts: Iterable[Contact]) -> PastedChoice:
    """Each line of pasted text (or an imported CSV) matched against every contact."""
    by_email: dict[str, list[Contact]] = {}
    for contact in contacts:
        if contact.email and contact.email.strip():
            by_email.setdefault(normalise_email(contact.email), []).append(contact)
    choice = PastedChoice()
    first_line: dict[str, int] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip().lstrip("\ufeff")
        if not line:
            continue
        found = [m.group(0).strip(".").lower() for m in _EMAIL.finditer(line)]
        if not found:
            choice.lines.append(PastedLine(number, line, None, "not_an_email", _why_not(line)))
            continue
        for email in dict.fromkeys(found):
            choice.lines.append(_match_one(number, line, email, by_email, first_line))
    return choice


def _why_not(line: str) -> str:
    if "@" in line:
        return "This line has an @ but no whole email address (like name@example.com)."
    return "This line has no email address."


def _match_one(
    number: int,
    line: str,
    email: str,
    by_email: Mapping[str, Sequence[Contact]],
    first_line: dict[str, int],
) -> PastedLine:
    if email in first_line:
        return PastedLine(
            number, line, email, "repeated", f"Already listed on line {first_line[email]}."
        )
    first_line[email] = number
    matches = tuple(by_email.get(email, ()))
    if not matches:
        return PastedLine(
            number, line, email, "unknown_email", "No contact of any customer has this email."
        )
    names = ", ".join(f"{c.name} ({c.customer_name})" for c in matches[:3])
    more = f" and {len(matches) - 3} more" if len(matches) > 3 else ""
    return PastedLine(
        number,
        line,
        email,
        "matched",
        f"{plural(len(matches), 'contact')}: {names}{more}.",
        matches,
    )


def pilot_customers(jobs: Sequence[Mapping[str, Any]], min_jobs: int, now: datetime) -> set[int]:
    """Repeat customers: at least ``min_jobs`` jobs done or booked in the last 12 months."""
    since = now - timedelta(days=365)
    counts: dict[int, int] = {}
    for job in jobs:
        when = aware(job.get("completed_at") or job.get("scheduled_start"))
        if when is not None and since <= when <= now + timedelta(days=1):
            cid = int(job["customer_id"])
            counts[cid] = counts.get(cid, 0) + 1
    return {cid for cid, n in counts.items() if n >= min_jobs}


def outcome_counts(outcomes: Iterable[str]) -> dict[str, int]:
    """How many rows had each outcome, in first-seen order."""
    out: dict[str, int] = {}
    for outcome in outcomes:
        out[outcome] = out.get(outcome, 0) + 1
    return out

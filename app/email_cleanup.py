"""The email clean-up report as the console lists and counts it: one row per contact named,
and a summary whose numbers are the server's (``GET /api/v1/email-hygiene``), so the tab, the
coming-soon page and the server never disagree."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.bulk_choice import plural

KINDS = {
    "invalid": "Email has a problem",
    "missing": "No email",
    "duplicated": "Same email twice in one customer",
    "shared": "Email shared by several customers",
}


def rows(report: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per contact named in the report, each with its ``kind`` and ``problem``."""
    out = [{**c, "kind": "invalid"} for c in report["invalid"]["items"]]
    out += [
        {**c, "kind": "missing", "problem": "There is no email address."}
        for c in report["missing"]["items"]
    ]
    for kind in ("duplicated", "shared"):
        for group in report[kind]["items"]:
            n = group.get("customer_count", 1)
            people = len(group["contacts"])
            why = (
                f"{group['email']} is the email of {people} contacts of {n} customers."
                if n > 1
                else f"{group['email']} is the email of {people} contacts of this customer."
            )
            out += [{**c, "kind": kind, "problem": why} for c in group["contacts"]]
    return out


def contact_count(section: Mapping[str, Any]) -> int:
    """How many contacts a section names in all (a group section names several per email)."""
    return int(section.get("contact_count", section["count"]))


def summary(report: Mapping[str, Any]) -> str:
    """The counts in words; each count is what the server found, not what is on screen."""
    invalid, missing = report["invalid"], report["missing"]
    duplicated, shared = report["duplicated"], report["shared"]
    parts = []
    if invalid["count"]:
        parts.append(f"{plural(invalid['count'], 'email')} with a problem")
    if missing["count"]:
        parts.append(f"{plural(missing['count'], 'contact')} without an email")
    if duplicated["count"]:
        parts.append(
            f"{plural(duplicated['count'], 'email')} given twice within one customer "
            f"({plural(contact_count(duplicated), 'contact')})"
        )
    if shared["count"]:
        parts.append(
            f"{plural(shared['count'], 'email')} shared by several customers "
            f"({plural(contact_count(shared), 'contact')})"
        )
    if not parts:
        return "Every contact has a usable email of their own: nothing to clean up."
    text = "To fix before inviting everyone: " + "; ".join(parts) + "."
    listed = sum(len(report[k]["items"]) for k in KINDS)
    total = sum(report[k]["count"] for k in KINDS)
    if listed < total:
        text += f" The list shows the first {report['limit']:,} of each kind."
    return text


def total_problems(report: Mapping[str, Any]) -> int:
    """Every problem the report counts (emails and contacts), for a single number."""
    return sum(int(report[k]["count"]) for k in KINDS)

"""Synthetic customer rows shaped like the console cache's rows, for search tests and benchmarks."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

FIRST = [
    "James",
    "Mary",
    "John",
    "Patricia",
    "Robert",
    "Jennifer",
    "Michael",
    "Linda",
    "William",
    "Elizabeth",
    "David",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Charles",
    "Karen",
    "Zoë",
    "José",
    "Ángela",
    "Nguyen",
    "Wei",
]
LAST = [
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "O'Neil",
]
STREETS = [
    "Oak",
    "Maple",
    "Pine",
    "Cedar",
    "Elm",
    "Washington",
    "Lake",
    "Hill",
    "Park",
    "Main",
    "Birch",
    "Willow",
    "Sunset",
]
CITIES = [
    "Springfield",
    "Riverton",
    "Fairview",
    "Madison",
    "Georgetown",
    "Salem",
    "Franklin",
    "Clinton",
]
DOMAINS = ("example.com", "mail.example.org", "homeplumb.test", "gmail.example")
STATUSES = ("not_invited", "invited", "invite_expired", "active", "locked", "disabled")


@dataclass(frozen=True, slots=True)
class Row:
    """One cached customer row (the fields of ``server.wire.customers.CustomerRow``)."""

    id: int
    external_id: str | None
    name: str
    kind: str
    phone: str | None
    address: str | None
    primary_contact_id: int | None
    primary_contact_name: str | None
    primary_email: str | None
    portal_status: str
    invite_expires_at: datetime | None
    locked_until: datetime | None
    last_sign_in_at: datetime | None
    version: int
    updated_at: datetime


def make_rows(n: int, seed: int = 7, now: datetime | None = None) -> list[Row]:
    """``n`` plausible, varied customers (some without email or phone, some companies)."""
    rnd = random.Random(seed)
    now = now or datetime.now(UTC)
    rows = []
    for i in range(1, n + 1):
        first, last = rnd.choice(FIRST), rnd.choice(LAST)
        company = rnd.random() < 0.15
        name = (
            f"{last} {rnd.choice(('Plumbing', 'Holdings', 'Dental', 'Bakery'))}"
            if company
            else (f"{first} {last}")
        )
        email = None if rnd.random() < 0.05 else f"{first}.{last}{i}@{rnd.choice(DOMAINS)}".lower()
        phone = (
            None
            if rnd.random() < 0.05
            else (f"({rnd.randint(200, 999)}) 555-{rnd.randint(0, 9999):04d}")
        )
        address = (
            f"{rnd.randint(1, 9999)} {rnd.choice(STREETS)} St, {rnd.choice(CITIES)}, "
            f"{rnd.randint(10000, 99999)}"
        )
        status = rnd.choice(STATUSES)
        expires = (
            now + timedelta(days=3)
            if status == "invited"
            else (now - timedelta(days=2) if status == "invite_expired" else None)
        )
        locked = now + timedelta(minutes=30) if status == "locked" else None
        signed = (
            now - timedelta(hours=rnd.randint(1, 5000)) if status in ("active", "locked") else None
        )
        rows.append(
            Row(
                i,
                f"crm-{i}",
                name,
                "company" if company else "household",
                phone,
                address,
                i * 10,
                f"{first} {last}",
                email,
                status,
                expires,
                locked,
                signed,
                1,
                now,
            )
        )
    return rows

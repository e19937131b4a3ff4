"""How many contacts' emails would stop an invite reaching the right person: the readiness
checklist's counts, exact on every request and cheap while the CRM keeps writing.

- **Invalid** and **missing** are counted in the database on every request, each from an
  index: a contact's ``email_invalid`` is judged whenever its address is written.
- **Duplicated** (one customer holds an address twice) and **shared** (several customers hold
  it) need the contacts grouped by address. Grouping the whole workspace costs a pass over
  every contact, so it is done once per server process and workspace; afterwards only the
  contacts the change feed names since then are read, and only the addresses they joined or
  left are grouped again.

Why regrouping those addresses alone stays exact: an address's counts change only when a
contact joins or leaves it. Every contact write and deletion (customer deletions included)
gives the contact a newer change-feed number, handed out in commit order, so the joiners are
read with their new address; a contact added without a change (a bulk load) is found by its
id, above the highest the tally has seen. For the leavers, the tally remembers which contacts
hold each problem address. A contact leaving an address that is no problem cannot make it one:
taking a contact away never adds a customer to an address, nor a second contact within one
customer.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select, true
from sqlalchemy.orm import Session

from server.db.models import Change, Contact, Workspace

# More changed contacts than this since the last request (a big import): group everything.
MAX_STEP = 2000
KEEP_WORKSPACES = 64
CHUNK = 500  # addresses per IN list


@dataclass
class _Address:
    """One address held by more than one contact: its contacts and their customers."""

    contacts: dict[int, int] = field(default_factory=dict)  # contact id -> customer id

    @property
    def duplicated(self) -> bool:
        return len(self.contacts) > len(set(self.contacts.values()))

    @property
    def shared(self) -> bool:
        return len(set(self.contacts.values())) > 1


@dataclass
class _Tally:
    """The problem addresses of one workspace, as of change-feed number ``seq``."""

    seq: int
    max_id: int  # the highest contact id (of any workspace) when last brought up to date
    problems: dict[str, _Address]
    holders: dict[int, str]  # contact id -> the problem address it holds
    lock: threading.Lock = field(default_factory=threading.Lock)


_tallies: dict[tuple[str, int], _Tally] = {}
_tallies_lock = threading.Lock()


def problem_counts(session: Session, ws_id: int) -> dict[str, int]:
    """Invalid and missing contacts, duplicated and shared addresses, as the clean-up counts
    them (``email_hygiene``)."""
    newest, max_id, horizon, invalid, no_address, blank = session.execute(
        select(
            select(func.max(Change.seq))
            .where(Change.workspace_id == ws_id, Change.entity == "contact")
            .scalar_subquery(),
            select(func.max(Contact.id)).scalar_subquery(),
            select(Workspace.changes_horizon).where(Workspace.id == ws_id).scalar_subquery(),
            _count(ws_id, Contact.email_invalid == true()),
            # Two counts, not one with OR: each is then a range of the address index.
            _count(ws_id, Contact.email_normalized.is_(None)),
            _count(ws_id, Contact.email_normalized == ""),
        )
    ).one()
    tally = _tally(session, ws_id, newest or 0, max_id or 0, horizon or 0)
    return {
        "invalid": invalid or 0,
        "missing": (no_address or 0) + (blank or 0),
        "duplicated": sum(1 for a in tally.problems.values() if a.duplicated),
        "shared": sum(1 for a in tally.problems.values() if a.shared),
    }


def forget_all() -> None:
    """Drop every kept tally (the next request groups its workspace again)."""
    with _tallies_lock:
        _tallies.clear()


def _count(ws_id: int, condition: Any) -> Any:
    return (
        select(func.count())
        .select_from(Contact)
        .where(Contact.workspace_id == ws_id, condition)
        .scalar_subquery()
    )


def _tally(session: Session, ws_id: int, newest: int, max_id: int, horizon: int) -> _Tally:
    # Keyed by database too: a process may serve (or test) more than one.
    key = (str(session.get_bind().engine.url), ws_id)
    with _tallies_lock:
        tally = _tallies.get(key)
        if tally is None:
            if len(_tallies) >= KEEP_WORKSPACES:
                _tallies.pop(next(iter(_tallies)))
            tally = _tallies[key] = _Tally(seq=-1, max_id=0, problems={}, holders={})
    with tally.lock:  # one request brings a workspace's tally up to date; others wait
        # Below the horizon, deletions may have been pruned from the feed; a newest number
        # below ours means another database answers under this address.
        if tally.seq < 0 or horizon > tally.seq or newest < tally.seq:
            _rebuild(session, ws_id, tally, newest, max_id)
        elif newest > tally.seq or max_id > tally.max_id:
            _catch_up(session, ws_id, tally, max_id)
        return tally


def _rebuild(session: Session, ws_id: int, tally: _Tally, newest: int, max_id: int) -> None:
    """Group every address of the workspace held by more than one contact."""
    repeated = (
        select(Contact.email_normalized)
        .where(Contact.workspace_id == ws_id, Contact.email_normalized > "")
        .group_by(Contact.email_normalized)
        .having(func.count() > 1)
    )
    rows = session.execute(
        select(Contact.email_normalized, Contact.id, Contact.customer_id).where(
            Contact.workspace_id == ws_id, Contact.email_normalized.in_(repeated)
        )
    )
    tally.problems, tally.holders = {}, {}
    _keep(tally, _grouped(rows))
    # Changes after ``newest`` are read again next time: regrouping is idempotent.
    tally.seq, tally.max_id = newest, max_id


def _catch_up(session: Session, ws_id: int, tally: _Tally, max_id: int) -> None:
    """Regroup the addresses that contacts changed since ``tally.seq`` joined or left."""
    changed = session.execute(
        select(Change.seq, Change.entity_id)
        .where(Change.workspace_id == ws_id, Change.entity == "contact", Change.seq > tally.seq)
        .order_by(Change.seq)
        .limit(MAX_STEP + 1)
    ).all()
    added = session.scalars(
        select(Contact.id)
        .where(Contact.id > tally.max_id, Contact.workspace_id == ws_id)
        .limit(MAX_STEP + 1)
    ).all()
    if len(changed) > MAX_STEP or len(added) > MAX_STEP:
        newest = session.scalar(
            select(func.max(Change.seq)).where(
                Change.workspace_id == ws_id, Change.entity == "contact"
            )
        )
        _rebuild(session, ws_id, tally, newest or 0, max_id)
        return
    ids = [row.entity_id for row in changed] + list(added)
    touched = {tally.holders[i] for i in ids if i in tally.holders}
    for chunk in _chunks(ids):
        touched.update(
            address
            for address in session.scalars(
                select(Contact.email_normalized).where(
                    Contact.workspace_id == ws_id, Contact.id.in_(chunk)
                )
            )
            if address
        )
    for address in touched:
        old = tally.problems.pop(address, None)
        for contact_id in old.contacts if old else ():
            tally.holders.pop(contact_id, None)
    for chunk in _chunks(sorted(touched)):
        rows = session.execute(
            select(Contact.email_normalized, Contact.id, Contact.customer_id).where(
                Contact.workspace_id == ws_id, Contact.email_normalized.in_(chunk)
            )
        )
        _keep(tally, _grouped(rows))
    # Read in commit order (see ``record_change``): nothing at or below this can still come.
    tally.seq = max(tally.seq, changed[-1].seq) if changed else tally.seq
    tally.max_id = max(tally.max_id, max_id)


def _grouped(rows: Iterable[Any]) -> dict[str, _Address]:
    out: dict[str, _Address] = defaultdict(_Address)
    for address, contact_id, customer_id in rows:
        out[address].contacts[contact_id] = customer_id
    return out


def _keep(tally: _Tally, addresses: dict[str, _Address]) -> None:
    for address, held in addresses.items():
        if held.duplicated or held.shared:
            tally.problems[address] = held
            for contact_id in held.contacts:
                tally.holders[contact_id] = address


def _chunks[T](items: list[T]) -> Iterable[list[T]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]

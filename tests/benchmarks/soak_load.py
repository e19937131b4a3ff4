"""The soak's load: signed-in customers, staff inviting, the CRM writing; and what it saw.

Customers are paced as people are: each signed-in customer opens a page every ``THINK_S``
seconds on average (arrivals at random, Poisson), so 1,000 of them ask for about
1,000 / ``THINK_S`` pages a second, whatever the server's speed. The arrivals are one
schedule shared by ``BROWSERS`` client threads (an open model, as a load tester's
constant-arrival-rate executor): the next page due goes to whichever thread is free, so one
slow answer, or a customer's approve-and-pay flow that follows a page, holds up one thread and
not the pages planned after it. A page sent more than ``LATE_S`` after its planned time means
every thread was busy, which is counted, so a report says whether the load it claims was
offered. A person never has two requests in flight (one browser tab each). A page's time runs
from sending the request to the whole answer read.
"""

from __future__ import annotations

import os
import random
import secrets
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import httpx

from tests.benchmarks.soak_data import SLUG, OnlineCustomer, SoakData

THINK_S = float(os.environ.get("PORTAL_SOAK_THINK_S", "10"))  # between one person's pages
BROWSERS = 50  # client threads taking the shared schedule's pages; each has one request in flight
APPROVE_PER_PAGE = 0.013  # a customer on a page approves their quote (once)
PAY_PER_PAGE = 0.010  # or pays their invoice (once)
CRM_WRITES_PER_S = 20.0
INVITES_PER_S = 1.0
CARD = {"number": "4242 4242 4242 4242", "expiry": "12/39", "cvc": "123", "name": "Soak Payer"}
SESSION_COOKIE = "tb_portal"
LATE_S = 1.0  # a page sent this much after its planned time means the client fell behind


@dataclass
class Tally:
    """What the load saw, shared by the client threads."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    page_ms: list[float] = field(default_factory=list)
    # When each page was sent (``time.monotonic()``), beside its time in ``page_ms``.
    page_at: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    approved: set[int] = field(default_factory=set)
    paid: set[int] = field(default_factory=set)
    invites: int = 0
    records: int = 0
    late_pages: int = 0
    most_late_s: float = 0.0
    slowest: tuple[float, str] = (0.0, "")

    def answer(
        self, what: str, response: httpx.Response, ms: float | None = None, at: float = 0.0
    ) -> None:
        """Count one answer; a 5xx is a server error whatever the route. A page's answer
        comes with its time (``ms``) and when it was sent (``at``)."""
        with self.lock:
            self.statuses[response.status_code] += 1
            if response.status_code >= 500:
                self.server_errors.append(f"{what}: {response.status_code}")
            if ms is not None:
                self.page_ms.append(ms)
                self.page_at.append(at)
                self.slowest = max(self.slowest, (ms, what))

    def late(self, seconds: float) -> None:
        """A page sent ``seconds`` after its planned time (every client thread was busy)."""
        with self.lock:
            self.late_pages += 1
            self.most_late_s = max(self.most_late_s, seconds)

    def drop(self, what: str, exc: Exception) -> None:
        """A request that got no answer at all."""
        with self.lock:
            self.dropped.append(f"{what}: {type(exc).__name__}: {exc}")


def start_load(
    base: str, token: str, data: SoakData, tally: Tally, deadline: float
) -> list[threading.Thread]:
    """Start every client thread; they stop by themselves at ``deadline``.

    The browsers' clients are made before the first page is due: making one (httpx sets up
    TLS for it even for plain http) takes tens of milliseconds of the GIL, and fifty of them
    made by the threads as they started stalled the first pages' clients for seconds."""
    clients = [portal_client(base) for _ in range(BROWSERS)]
    schedule = Schedule(data, deadline)
    threads = [
        threading.Thread(target=_browse, args=(client, schedule, tally), daemon=True)
        for client in clients
    ]
    threads.append(threading.Thread(target=_staff, args=(base, token, data, tally, deadline)))
    threads.append(threading.Thread(target=_crm, args=(base, token, tally, deadline)))
    for t in threads:
        t.start()
    return threads


def offered_pages_per_s(data: SoakData) -> float:
    """Pages a second the online customers ask for at ``THINK_S``."""
    return len(data.online) / THINK_S


def portal_client(base: str) -> httpx.Client:
    """A browser-like client of the portal (same-origin form posts)."""
    return httpx.Client(base_url=base, timeout=30, headers={"Origin": base})


def _get(client: httpx.Client, path: str, tally: Tally) -> None:
    # A browser sends a GET again when a kept-alive connection was closed under it before any
    # answer (a worker retiring in the restart); httpx does not, so do it here, once.
    for attempt in (1, 2):
        sent, started = time.monotonic(), time.perf_counter()
        try:
            r = client.get(path)
        except (httpx.RemoteProtocolError, httpx.ConnectError) as exc:
            if attempt == 2:
                tally.drop(f"GET {path}", exc)
            continue
        except httpx.TransportError as exc:
            tally.drop(f"GET {path}", exc)
            return
        tally.answer(f"GET {path}", r, (time.perf_counter() - started) * 1000, sent)
        return


def _post(client: httpx.Client, path: str, data: dict[str, str], tally: Tally) -> int | None:
    try:
        r = client.post(path, data=data)
    except httpx.TransportError as exc:  # never sent twice: a form post is not idempotent
        tally.drop(f"POST {path}", exc)
        return None
    tally.answer(f"POST {path}", r)
    return r.status_code


class Schedule:
    """The online customers' pages as one stream of planned times, taken by free threads."""

    def __init__(self, data: SoakData, deadline: float, seed: int = 11) -> None:
        self._rng = random.Random(seed)
        self._people = data.online
        self._mean_gap = THINK_S / len(data.online)  # all the online customers together
        self._planned = time.monotonic()
        self._busy: set[int] = set()
        self._lock = threading.Lock()
        self.deadline = deadline

    def take(self) -> tuple[float, OnlineCustomer, str, float] | None:
        """The next page due: when, whose, which page and a roll for what they do next."""
        with self._lock:
            self._planned += self._rng.expovariate(1 / self._mean_gap)
            if self._planned >= self.deadline:
                return None
            person = self._rng.choice(self._people)
            while person.customer_id in self._busy:  # that person's tab is still loading
                person = self._rng.choice(self._people)
            self._busy.add(person.customer_id)
            page = self._rng.choice(["", "jobs", "invoices", "quotes", f"quotes/{person.quote_id}"])
            return self._planned, person, page, self._rng.random()

    def done(self, person: OnlineCustomer) -> None:
        """That person's request (and what followed it) is answered."""
        with self._lock:
            self._busy.discard(person.customer_id)


def _browse(client: httpx.Client, schedule: Schedule, tally: Tally) -> None:
    p = f"/p/{SLUG}"
    with client:
        while (due := schedule.take()) is not None:
            planned, person, page, roll = due
            now = time.monotonic()
            if planned > now:
                time.sleep(planned - now)
            elif now - planned > LATE_S:
                tally.late(now - planned)
            try:
                _visit(client, p, person, page, roll, tally)
            finally:
                schedule.done(person)


def _visit(
    client: httpx.Client, p: str, person: OnlineCustomer, page: str, roll: float, tally: Tally
) -> None:
    """One page of one customer, then perhaps their approval or payment."""
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, person.cookie, path=p)
    _get(client, f"{p}/{page}", tally)
    if roll < APPROVE_PER_PAGE and person.quote_id not in tally.approved:
        form = {"csrf_token": person.csrf, "name": "Soak Customer", "agree": "yes"}
        if _post(client, f"{p}/quotes/{person.quote_id}/approve", form, tally) == 303:
            with tally.lock:
                tally.approved.add(person.quote_id)
    elif roll < APPROVE_PER_PAGE + PAY_PER_PAGE and person.invoice_id not in tally.paid:
        _pay(client, p, person.csrf, person.invoice_id, tally)


def _pay(client: httpx.Client, p: str, csrf: str, invoice_id: int, tally: Tally) -> None:
    try:
        started = client.post(f"{p}/invoices/{invoice_id}/pay", data={"csrf_token": csrf})
    except httpx.TransportError as exc:
        tally.drop("POST pay", exc)
        return
    tally.answer("POST pay", started)
    location = started.headers.get("location", "")
    if started.status_code != 303 or "/checkout/" not in location:
        return
    checkout = location.split(p, 1)[-1]
    if _post(client, f"{p}{checkout}", {"csrf_token": csrf, **CARD}, tally) == 303:
        with tally.lock:
            tally.paid.add(invoice_id)


def _staff(base: str, token: str, data: SoakData, tally: Tally, deadline: float) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    queue = list(data.to_invite)
    with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
        while queue and time.monotonic() < deadline:
            contact_id = queue.pop()
            key = secrets.token_hex(16)
            for _attempt in (1, 2):  # a retried POST carries the same Idempotency-Key
                try:
                    r = client.post(
                        f"/api/v1/contacts/{contact_id}/portal-invite",
                        headers={"Idempotency-Key": key},
                    )
                except httpx.TransportError as exc:
                    tally.drop("POST portal-invite", exc)
                    continue
                tally.answer("POST portal-invite", r)
                if r.status_code == 201:
                    with tally.lock:
                        tally.invites += 1
                break
            time.sleep(1 / INVITES_PER_S)


def _crm(base: str, token: str, tally: Tally, deadline: float) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    n = 0
    with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
        while time.monotonic() < deadline:
            tick = time.monotonic()
            n += 1
            body = {
                "name": f"Soak Customer {n}",
                "kind": "household",
                "phone": "(503) 555-0142",
                "addresses": [{"line1": f"{n} Alder St", "city": "Portland", "postcode": "97201"}],
            }
            try:
                r = client.put(f"/api/v1/records/customers/SOAK-{n % 500}", json=body)
            except httpx.TransportError as exc:
                tally.drop("PUT records", exc)
            else:
                tally.answer("PUT records", r)
                if r.is_success:
                    with tally.lock:
                        tally.records += 1
            time.sleep(max(0.0, 1 / CRM_WRITES_PER_S - (time.monotonic() - tick)))

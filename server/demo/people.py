"""Customers, their contacts and addresses, with the email problems real CRMs have.

Problems are those an office must clean up before inviting anyone: a contact with no email,
one that is not a valid address, two contacts of one customer sharing an address (a couple),
and one address shared across customers (a property manager who looks after several homes).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from server.db.models.customers import email_invalid
from server.demo import names
from server.demo.context import Row, SeedContext

EMAIL_PROBLEMS = ("missing", "invalid", "duplicate_in_customer", "shared_across_customers")
# The first customers carry these in turn, so that even a small demo shows every problem.
FIRST_PROBLEMS = (*EMAIL_PROBLEMS, "shared_across_customers")


@dataclass
class CustomerDraft:
    """One customer's rows before they are written."""

    customer: Row
    city: tuple[str, str, str, str]
    contacts: list[Row] = field(default_factory=list)
    addresses: list[Row] = field(default_factory=list)
    accounts: list[Row] = field(default_factory=list)
    invites: list[Row] = field(default_factory=list)

    @property
    def primary(self) -> Row:
        """The primary contact (every seeded customer has one)."""
        return next(c for c in self.contacts if c["is_primary"])


def phone(ctx: SeedContext, area: str) -> str:
    """A US number in one of the formats people actually type."""
    mid, last = ctx.rng.randint(201, 989), ctx.rng.randint(0, 9999)
    style = ctx.rng.random()
    if style < 0.75:
        return f"({area}) {mid}-{last:04d}"
    if style < 0.9:
        return f"{area}-{mid}-{last:04d}"
    return f"+1 {area} {mid} {last:04d}"


def _local_part(ctx: SeedContext, first: str, last: str) -> str:
    first, last = (re.sub(r"[^a-z]", "", s.lower()) for s in (first, last))
    return ctx.rng.choice(
        (
            f"{first}.{last}",
            f"{first}{last}",
            f"{first[0]}{last}",
            f"{first}.{last}{ctx.rng.randint(1, 99)}",
            f"{last}.{first}",
            f"{first}_{last}",
        )
    )


def unique_email(ctx: SeedContext, local: str, domain: str) -> str:
    """``local@domain``, with a number added if someone already has it."""
    candidate, n = f"{local}@{domain}", 1
    while candidate in ctx.used_emails:
        n += 1
        candidate = f"{local}{n}@{domain}"
    ctx.used_emails.add(candidate)
    return candidate


def _typed(ctx: SeedContext, email: str) -> str:
    """How the CRM holds it: now and then capitalised or with stray spaces."""
    roll = ctx.rng.random()
    if roll < 0.06:
        local, domain = email.split("@")
        return ".".join(p.capitalize() for p in local.split(".")) + "@" + domain
    if roll < 0.08:
        return f" {email} "
    return email


def _broken(ctx: SeedContext, email: str) -> str:
    local, domain = email.split("@")
    return ctx.rng.choice(
        (
            f"{local}@{domain.rsplit('.', 1)[0]}",
            f"{local}@@{domain}",
            f"{local.replace('.', ' ')}@{domain}",
            f"{local}.{domain}",
            f"{local}@{domain.replace('.', ',')}",
        )
    )


def contact(
    ctx: SeedContext,
    draft: CustomerDraft,
    name: str,
    email: str | None,
    role: str,
    *,
    primary: bool = False,
) -> Row:
    """Queue a contact row of the draft."""
    row: Row = {
        "id": ctx.ids.take("contact"),
        "workspace_id": ctx.workspace_id,
        "customer_id": draft.customer["id"],
        "external_id": f"P{ctx.number('contact'):07d}",
        "name": name,
        "email": email,
        "email_normalized": email.strip().lower() if email else None,
        "email_invalid": email_invalid(email.strip().lower() if email else None),
        "phone": phone(ctx, draft.city[3]) if ctx.rng.random() < 0.9 else None,
        "role": role,
        "is_primary": primary,
        "version": 1,
        "created_at": draft.customer["created_at"],
        "updated_at": draft.customer["created_at"],
    }
    if row["email_invalid"]:
        # Counted as judged, as the clean-up counts: a "broken" variant of an address can
        # still be a valid one (a space put for a dot the local part did not have).
        ctx.tally["email_invalid"] += 1
    draft.contacts.append(row)
    return row


def _person_email(ctx: SeedContext, first: str, last: str, problem: str | None) -> str | None:
    if problem == "missing":
        return None
    email = unique_email(ctx, _local_part(ctx, first, last), ctx.rng.choice(names.PERSONAL_DOMAINS))
    return _broken(ctx, email) if problem == "invalid" else _typed(ctx, email)


def _problem(ctx: SeedContext, index: int) -> str | None:
    if index < len(FIRST_PROBLEMS):
        return FIRST_PROBLEMS[index]
    roll = ctx.rng.random()
    if roll < 0.07:
        return "missing"
    if roll < 0.10:
        return "invalid"
    if roll < 0.13:
        return "duplicate_in_customer"
    if roll < 0.15:
        return "shared_across_customers"
    return None


def address(ctx: SeedContext, draft: CustomerDraft, label: str) -> Row:
    """Queue a service address of the draft in its city."""
    rng = ctx.rng
    city, region, zip3, _ = draft.city
    line2 = None
    if rng.random() < 0.12:
        line2 = f"{rng.choice(names.UNIT_PREFIXES)} {rng.randint(1, 40)}{rng.choice('ABCD ')}"
    row: Row = {
        "id": ctx.ids.take("address"),
        "workspace_id": ctx.workspace_id,
        "customer_id": draft.customer["id"],
        "label": label,
        "line1": f"{rng.randint(1, 9899)} {rng.choice(names.STREET_WORDS)} "
        f"{rng.choice(names.STREET_KINDS)}",
        "line2": line2.strip() if line2 else None,
        "city": city,
        "region": region,
        "postcode": f"{zip3}{rng.randint(1, 99):02d}",
        "created_at": draft.customer["created_at"],
    }
    draft.addresses.append(row)
    return row


def _landlord(ctx: SeedContext) -> Row:
    # Each property manager looks after two to six of the customers: a new one is added only
    # when every earlier one has all of its homes, so every such email really is shared.
    open_ones = [lord for lord in ctx.landlords if lord["used"] < lord["homes"]]
    if open_ones:
        lord = ctx.rng.choice(open_ones)
    else:
        word = ctx.rng.choice(names.COMPANY_FIRST)
        lord = {
            "name": f"{word} Lettings",
            "email": unique_email(ctx, "accounts", f"{word.lower()}lettings.example"),
            "phone": phone(ctx, "503"),
            "homes": ctx.rng.randint(2, 6),
            "used": 0,
        }
        ctx.landlords.append(lord)
    lord["used"] += 1
    return lord


def make_customer(ctx: SeedContext, index: int) -> CustomerDraft:
    """A household (most) or a company, with contacts and addresses."""
    rng = ctx.rng
    created = ctx.ago(days=rng.uniform(1, 6 * 365))
    city = rng.choice(names.CITIES)
    is_company = index % 8 == 3 if index < 16 else rng.random() < 0.12
    first, last = rng.choice(names.FIRST_NAMES), rng.choice(names.LAST_NAMES)
    if is_company:
        kind = rng.choice(names.COMPANY_KINDS)
        name = f"{rng.choice(names.COMPANY_FIRST)} {kind}"
    else:
        name = f"{first} {last}"
    customer: Row = {
        "id": ctx.ids.take("customer"),
        "workspace_id": ctx.workspace_id,
        "external_id": f"C{index + 1:07d}",
        "name": name,
        "sort_name": name.lower(),
        "kind": "company" if is_company else "household",
        "phone": phone(ctx, city[3]) if rng.random() < 0.8 else None,
        "notes": None,
        "version": 1,
        "created_at": created,
    }
    draft = CustomerDraft(customer, city)
    problem = _problem(ctx, index)
    if problem and problem != "invalid":  # invalid ones are counted as judged (``contact``)
        ctx.tally[f"email_{problem}"] += 1
    first_problem = problem if problem in ("missing", "invalid") else None
    if is_company:
        domain = re.sub(r"[^a-z]", "", name.lower()) + ".example"
        role = rng.choice(names.COMPANY_ROLES)
        local = _local_part(ctx, first, last)
        email = None if first_problem == "missing" else unique_email(ctx, local, domain)
        if email and first_problem == "invalid":
            email = _broken(ctx, email)
        contact(ctx, draft, f"{first} {last}", email, role, primary=True)
        billing = rng.choice(names.FIRST_NAMES) + " " + rng.choice(names.LAST_NAMES)
        contact(ctx, draft, billing, unique_email(ctx, "accounts", domain), "billing")
        for _ in range(rng.choice((0, 0, 1, 2))):
            f2, l2 = rng.choice(names.FIRST_NAMES), rng.choice(names.LAST_NAMES)
            other = unique_email(ctx, _local_part(ctx, f2, l2), domain)
            contact(ctx, draft, f"{f2} {l2}", other, rng.choice(names.COMPANY_ROLES))
        labels = ["Main office", "Warehouse", "Second site"][: rng.choice((1, 1, 2, 3))]
        for label in labels:
            address(ctx, draft, label)
    else:
        email = _person_email(ctx, first, last, first_problem)
        contact(ctx, draft, name, email, "primary", primary=True)
        if problem == "duplicate_in_customer" or rng.random() < 0.25:
            partner = f"{rng.choice(names.FIRST_NAMES)} {last}"
            shared = email if problem == "duplicate_in_customer" else None
            p_first = partner.split()[0]
            contact(ctx, draft, partner, shared or _person_email(ctx, p_first, last, None), "other")
        address(ctx, draft, "Home")
        if rng.random() < 0.06:
            address(ctx, draft, rng.choice(("Rental", "Cabin", "Parents' house")))
    if problem == "duplicate_in_customer" and is_company:
        # A company's second person filed under the primary's address.
        dup = draft.primary["email"]
        contact(ctx, draft, rng.choice(names.FIRST_NAMES) + " " + last, dup, "other")
    if problem == "shared_across_customers":
        lord = _landlord(ctx)
        row = contact(ctx, draft, f"{lord['name']} (property manager)", lord["email"], "billing")
        row["phone"] = lord["phone"]
    return draft

"""Plain-English names and descriptions of every visibility switch.

The console's editor shows them beside each switch, and the server's exposure check builds its
sentences from them, so both say the same thing about the same switch. A switch is named
``section.<name>``, ``<section>.<field>``, ``action.<name>`` or ``status.<internal status>``;
the portal's pages carry the same names in their ``data-why`` markers.
"""

from __future__ import annotations

from server.wire.visibility import ACTIONS, FIELDS, JOB_STATUSES, SECTIONS

SECTION_TEXT: dict[str, tuple[str, str]] = {
    "jobs": ("Jobs", "The customer's jobs: a list of active and past work, and each job's page."),
    "quotes": ("Quotes", "Quotes sent to the customer, with their lines and totals."),
    "invoices": ("Invoices", "Invoices, what is still owed, and the payments made."),
    "documents": ("Documents", "Files shared after a review, such as reports and warranties."),
    "photos": ("Photos", "Photos shared after a review, on the job they belong to."),
}

FIELD_TEXT: dict[str, dict[str, tuple[str, str]]] = {
    "jobs": {
        "number": ("Job numbers", "The office's number for each job, such as J-1043."),
        "title": ("Job titles", "The short name of the work, such as 'Replace water heater'."),
        "description": ("Job descriptions", "The longer description of the work to be done."),
        "status": ("Job status", "Where the job stands, using the labels below."),
        "scheduled_time": ("Scheduled times", "When the visit is booked."),
        "address": ("Job addresses", "The address the work is done at."),
        "technician_name": ("Technician names", "Who is coming to do the work."),
        "internal_notes": (
            "Internal job notes",
            "The office's own notes on the job. Usually kept internal.",
        ),
        "completed_at": ("Completion dates", "When the job was finished."),
    },
    "quotes": {
        "number": ("Quote numbers", "The office's number for each quote."),
        "notes": ("Quote notes", "The notes written on the quote for the customer."),
        "line_items": ("Quote lines", "What the quote is made of, line by line."),
        "line_costs": (
            "Line prices on quotes",
            "The price of each line on quotes; totals show separately.",
        ),
        "totals": ("Quote totals", "The total amount of each quote."),
        "expires_at": ("Quote expiry dates", "Until when a quote can be approved."),
    },
    "invoices": {
        "number": ("Invoice numbers", "The office's number for each invoice."),
        "line_items": ("Invoice lines", "What the invoice is for, line by line."),
        "line_costs": (
            "Line prices on invoices",
            "The price of each line on invoices; totals show separately.",
        ),
        "totals": ("Invoice totals", "The total amount of each invoice."),
        "balance": ("Amounts owed", "What is still to be paid on each invoice."),
        "due_at": ("Due dates", "When each invoice is due."),
        "payments": ("Payments made", "The payments already made on each invoice."),
    },
    "documents": {
        "title": ("Document titles", "The title the office gave each shared document."),
        "filename": ("Document file names", "The name of the file as it was uploaded."),
        "job_link": ("Documents on jobs", "Which job a shared document belongs to."),
    },
    "photos": {
        "caption": ("Photo captions", "The caption written for each shared photo."),
        "taken_at": ("When photos were taken", "The date and time on each shared photo."),
        "job_link": ("Photos on jobs", "Which job a shared photo belongs to."),
    },
}

ACTION_TEXT: dict[str, tuple[str, str]] = {
    "approve_quotes": (
        "Approve quotes",
        "Customers may approve or decline a pending quote by typing their name.",
    ),
    "pay_invoices": ("Pay invoices", "Customers may pay what they owe by card in the portal."),
    "request_service": (
        "Request service",
        "Customers may ask for new work; requests arrive in the office's queue.",
    ),
}


def switch_title(switch: str) -> str:
    """The plain-English name of a switch (``jobs.address`` is "Job addresses")."""
    head, _, name = switch.partition(".")
    if head == "section":
        return SECTION_TEXT[name][0]
    if head == "action":
        return ACTION_TEXT[name][0]
    if head == "status":
        return f"The label of job status '{name.replace('_', ' ')}'"
    return FIELD_TEXT[head][name][0]


def switch_description(switch: str) -> str:
    """What a switch controls, in one sentence."""
    head, _, name = switch.partition(".")
    if head == "section":
        return SECTION_TEXT[name][1]
    if head == "action":
        return ACTION_TEXT[name][1]
    if head == "status":
        return f"What customers read for a job whose office status is '{name}'."
    return FIELD_TEXT[head][name][1]


def all_switches() -> list[str]:
    """Every switch name, in the order the editor lists them."""
    names = [f"section.{s}" for s in SECTIONS]
    names += [f"{s}.{f}" for s in SECTIONS for f in FIELDS[s]]
    names += [f"action.{a}" for a in ACTIONS]
    names += [f"status.{s}" for s in JOB_STATUSES]
    return names

"""What the ``q`` of the customer list means: one rule for the server and the console's cache.

A query is split on spaces into at most ``MAX_TERMS`` lower-cased terms; a phone-like term
(digits with brackets, dashes, dots or plus signs) counts as its digits alone. Every term must
be found in the customer's names, emails, phones or address. A query made only of one- and
two-letter terms is a name being typed: its first term must be the start of the customer's
name ("jo" finds "Jones Plumbing", not "Lovelace" through "ov" nor "Major Homes" through "jo"
in the middle of a word); the other terms are found as usual.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_TERMS = 8
SHORT = 3  # terms shorter than this are a name being typed (see the module docstring)
_PHONEISH = re.compile(r"^[0-9()+\-. ]*[0-9][0-9()+\-. ]*$")


def search_terms(q: str | None) -> list[str]:
    """The terms of a search: lower-cased words; phone-like words reduced to their digits."""
    terms: list[str] = []
    for word in (q or "").lower().split()[:MAX_TERMS]:
        if _PHONEISH.match(word) and not word.isdigit():
            word = "".join(ch for ch in word if ch.isdigit())
        if word and word not in terms:
            terms.append(word)
    return terms


@dataclass(frozen=True)
class SearchPlan:
    """A query as the rule reads it: the start the name must have, and the other terms."""

    name_start: str | None
    terms: tuple[str, ...]


def search_plan(q: str | None) -> SearchPlan:
    """How a query finds customers (the rule in the module docstring)."""
    terms = search_terms(q)
    if terms and all(len(t) < SHORT for t in terms):
        return SearchPlan(terms[0], tuple(terms[1:]))
    return SearchPlan(None, tuple(terms))


def starts_name(name: str, start: str) -> bool:
    """The customer's name begins with ``start`` (compared lower-cased, as the server does)."""
    return name.lower().startswith(start)

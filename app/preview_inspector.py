""" "Why is this visible?": explains one element of a preview from the markers on the page.

Portal pages carry ``data-why`` (the visibility switch that shows an element), ``data-record``
and ``data-page-record`` (the job, quote or invoice it belongs to) and ``data-file`` (a shared
document or photo). The preview's picker sends the nearest of each; ``explain`` turns them into
plain English and says where in the console each can be changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from server.wire.files import FileOut
from server.wire.local_time import LocalFormat, Localised, format_when
from server.wire.visibility import VisibilityPolicy
from server.wire.visibility_text import switch_description, switch_title

# The script run in the page's isolated world: the element under the point and its markers.
PICK_SCRIPT = """
(function (x, y) {
  var el = document.elementFromPoint(x, y);
  if (!el) { return null; }
  function near(attr) {
    var m = el.closest('[' + attr + ']');
    return m ? m.getAttribute(attr) : null;
  }
  var page = document.querySelector('[data-page-record]');
  var r = el.getBoundingClientRect();
  return JSON.stringify({
    why: near('data-why'), record: near('data-record'), file: near('data-file'),
    page_record: page ? page.getAttribute('data-page-record') : null,
    text: (el.textContent || el.getAttribute('alt') || '')
      .replace(/\\s+/g, ' ').trim().slice(0, 120),
    tag: el.tagName.toLowerCase(),
    box: [r.left, r.top, r.width, r.height]
  });
})(%d, %d)
"""


@dataclass
class Link:
    """A place in the console where the reason can be changed."""

    text: str
    target: str  # "visibility:<switch>", "files:<kind>:<id>", "customer:<id>"


@dataclass
class Explanation:
    """What the inspector shows for one picked element."""

    heading: str
    lines: list[str] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)


def parse_ref(ref: str | None) -> tuple[str, int] | None:
    """``job:12`` as ``("job", 12)``; None when absent or malformed."""
    if not ref or ":" not in ref:
        return None
    kind, _, ident = ref.partition(":")
    return (kind, int(ident)) if ident.isdigit() else None


def explain(
    picked: dict[str, object],
    policy: VisibilityPolicy,
    *,
    draft: bool,
    file: FileOut | None = None,
    customer: tuple[int, str] | None = None,
    formats: Localised | None = None,
) -> Explanation:
    """Why the picked element is on the page, under ``policy`` (the draft when ``draft``);
    times in the business's zone and locale (``formats``; UTC, said so, without one)."""
    which = "the draft policy" if draft else "the published policy"
    text = str(picked.get("text") or "").strip()
    out = Explanation(f"“{text[:60]}”" if text else "This part of the page")
    why = picked.get("why")
    if isinstance(why, str) and why:
        out.lines.append(_switch_reason(why, policy, which))
        out.links.append(Link(f"Change “{switch_title(why)}”", f"visibility:{why}"))
    ref = parse_ref(str(picked.get("file") or ""))
    if ref is not None:
        kind, ident = ref
        if file is not None:
            who = file.reviewed_by_name or "a staff member who has since left"
            reviewed = file.reviewed_at
            when = f" on {format_when(reviewed, formats or LocalFormat(None))}" if reviewed else ""
            out.lines.append(f"This {kind} was reviewed and shared by {who}{when}.")
        else:
            out.lines.append(f"This {kind} was reviewed and shared by the office.")
        out.links.append(Link(f"Review this {kind} again", f"files:{kind}:{ident}"))
    record = parse_ref(str(picked.get("record") or "")) or parse_ref(
        str(picked.get("page_record") or "")
    )
    if record is not None:
        kind, ident = record
        out.lines.append(f"It belongs to {kind} {ident}, one of this customer's records.")
    if customer is not None:
        out.lines.append(f"Every record shown is {customer[1]}'s; no other customer's data.")
        out.links.append(Link(f"Open {customer[1]} in Access", f"customer:{customer[0]}"))
    if not out.lines:
        out.lines.append(
            "This is part of every portal page (your branding, the menu or the footer); "
            "no visibility switch controls it."
        )
    return out


def _switch_reason(switch: str, policy: VisibilityPolicy, which: str) -> str:
    head = switch.partition(".")[0]
    title = switch_title(switch)
    if head == "section":
        return f"Shown because “{title}” is on in {which}. {switch_description(switch)}"
    if head == "action":
        return f"Shown because “{title}” is allowed in {which}. {switch_description(switch)}"
    section_on = policy.shows(head)
    section = switch_title(f"section.{head}")
    if not section_on:  # cannot be, if the element is shown; say so rather than guess
        return f"“{title}” belongs to {section}, which {which} hides."
    return (
        f"Shown because “{title}” is on in {which} (and the {section} section is shown). "
        f"{switch_description(switch)}"
    )

"""Published beside draft: find the elements that differ and outline them.

Each page lists its "leaves" (elements holding text or an image of their own) as keys made of
the record and switch markers they sit under and their text. A key the other page lacks is a
change: outlined in orange on the draft (new or changed there) and in grey on the published
page (gone in the draft). Outlines are drawn from the isolated script world and do not move
anything on the page.
"""

from __future__ import annotations

import json
from collections import Counter

LEAVES_SCRIPT = """
(function () {
  var out = [];
  var all = document.querySelectorAll('body *');
  for (var i = 0; i < all.length; i++) {
    var el = all[i];
    if (el.id === 'toolbag-inspector-box') { continue; }
    var own = '';
    for (var n = el.firstChild; n; n = n.nextSibling) {
      if (n.nodeType === 3) { own += n.nodeValue; }
    }
    own = own.replace(/\\s+/g, ' ').trim();
    if (!own && el.tagName !== 'IMG') { continue; }
    var why = el.closest('[data-why]'), rec = el.closest('[data-record]');
    out.push([i, (rec ? rec.getAttribute('data-record') : '') + '|' +
      (why ? why.getAttribute('data-why') : '') + '|' + el.tagName + '|' +
      (own || el.getAttribute('src') || '')]);
  }
  return JSON.stringify(out);
})()
"""

MARK_SCRIPT = """
(function (indexes, colour) {
  var all = document.querySelectorAll('body *');
  for (var i = 0; i < indexes.length; i++) {
    var el = all[indexes[i]];
    if (el) {
      el.style.outline = '3px solid ' + colour;
      el.style.outlineOffset = '2px';
      el.setAttribute('data-toolbag-changed', '1');
    }
  }
  return indexes.length;
})(%s, '%s')
"""

ADDED = "#d9480f"
REMOVED = "#868e96"


def leaves(result: object) -> list[list[object]]:
    """The leaves a page reported (sent as JSON: Qt does not pass nested mixed arrays)."""
    if not isinstance(result, str):
        return []
    try:
        found = json.loads(result)
    except ValueError:
        return []
    return found if isinstance(found, list) else []


def differing(mine: list[list[object]], theirs: list[list[object]]) -> list[int]:
    """Indexes of the leaves of ``mine`` whose keys ``theirs`` lacks (counting repeats)."""
    left = Counter(str(k) for _, k in theirs)
    out: list[int] = []
    for index, key in mine:
        if left[str(key)] > 0:
            left[str(key)] -= 1
        else:
            out.append(int(index))  # type: ignore[call-overload]
    return out


def mark_script(indexes: list[int], colour: str) -> str:
    """The script that outlines those leaves."""
    return MARK_SCRIPT % ("[" + ",".join(str(i) for i in indexes) + "]", colour)


def summary(added: int, removed: int) -> str:
    """What the outlines mean, in one sentence."""
    if not added and not removed:
        return "On this page the draft looks the same as what customers see now."
    parts = []
    if added:
        parts.append(f"{_things(added)} new or changed in the draft (outlined in orange)")
    if removed:
        parts.append(f"{_things(removed)} customers see now would go (outlined in grey)")
    return "On this page: " + "; ".join(parts) + "."


def _things(n: int) -> str:
    return "1 part" if n == 1 else f"{n} parts"

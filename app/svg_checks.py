"""Refusing SVG logos that could run code or fetch something when drawn.

The console rasterises SVG itself (the server accepts only PNG, JPEG and WebP); before it
does, a logo with scripts, event handlers, embedded HTML or references to other files or
addresses is refused, so drawing it cannot reach out anywhere.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from app.logo_checks import MAX_BYTES, LogoRefused

_LOCAL_REF = re.compile(r"^(#|data:image/(png|jpeg|webp);base64,)", re.IGNORECASE)
_URL_IN_STYLE = re.compile(r"url\(\s*['\"]?(?!#)", re.IGNORECASE)


def looks_like_svg(data: bytes) -> bool:
    """Whether these bytes are an SVG document (by content, not by file name)."""
    head = data[:2048].lstrip().lower()
    return head.startswith((b"<?xml", b"<svg", b"<!--")) and b"<svg" in data[:4096].lower()


def check_svg(data: bytes) -> None:
    """``LogoRefused`` with a plain reason when this SVG is unsafe or broken; None when fine."""
    if len(data) > MAX_BYTES:
        raise LogoRefused("The SVG is larger than 10 MB; a logo should be much smaller.")
    if b"<!doctype" in data.lower() or b"<!entity" in data.lower():
        raise LogoRefused("The SVG declares entities or a DOCTYPE; save it again without them.")
    try:
        root = ET.fromstring(data)  # noqa: S314 (DOCTYPE and entities refused above)
    except ET.ParseError as exc:
        raise LogoRefused("That SVG file is damaged and cannot be read.") from exc
    if root.tag.rsplit("}", 1)[-1] != "svg":
        raise LogoRefused("That file is not an SVG image.")
    for element in root.iter():
        name = element.tag.rsplit("}", 1)[-1].lower()
        if name == "script":
            raise LogoRefused("The SVG contains a script; logos must not run code.")
        if name in ("foreignobject", "iframe", "embed", "object"):
            raise LogoRefused("The SVG embeds other content; save the logo as plain shapes.")
        for attr, value in element.attrib.items():
            local = attr.rsplit("}", 1)[-1].lower()
            if local.startswith("on"):
                raise LogoRefused("The SVG contains event handlers (code); remove them.")
            if local == "href" and not _LOCAL_REF.match(value.strip()):
                raise LogoRefused(
                    "The SVG refers to another file or web address; embed everything in it."
                )
            if local == "style" and _URL_IN_STYLE.search(value):
                raise LogoRefused("The SVG loads something from outside; embed everything.")
        if (
            name == "style"
            and element.text
            and (_URL_IN_STYLE.search(element.text) or "@import" in element.text)
        ):
            raise LogoRefused("The SVG loads something from outside; embed everything.")

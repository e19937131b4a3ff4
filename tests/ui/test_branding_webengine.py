"""The Branding panel's live preview in a real QtWebEngine view (run in its own process):
the server's rendering of the draft, the draft's logo, and pictures for a person to check.

The test is one coroutine: each ``run_until_complete`` of qasync ends by quitting the
application, and QtWebEngine shuts down with it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")

# QtWebEngine must be loaded before the test application object is created.
import PySide6.QtWebEngineWidgets  # noqa: F401

from tests.ui.branding_harness import (
    LOGO_SVG,
    Harness,
    harness_fixture,
    screenshot,
    until,
)

__all__ = ["harness_fixture"]

pytestmark = pytest.mark.webengine

LOGO_SHOWN = "(document.querySelector('img.logo') || {}).naturalWidth > 0"


async def js(view: Any, script: str) -> Any:
    """Run JavaScript in the preview page and wait for its result."""
    box: list[Any] = []
    view.web.page().runJavaScript(script, 0, box.append)
    await until(lambda: box, 20)
    return box[0]


def test_preview_shows_the_draft_with_its_logo(harness: Harness, tmp_path: Path) -> None:
    async def scenario() -> None:
        panel = await harness.abranding(web=True)
        view = panel.preview.view
        path = tmp_path / "logo.svg"
        path.write_bytes(LOGO_SVG)
        await panel.logo.upload_file(str(path))
        for field, text in (
            ("brand_name", "Evergreen Plumbing & Heating"),
            ("primary_color", "#0b6e4f"),
            ("accent_color", "#ffb400"),
            ("phone", "(503) 555-0100"),
            ("hours", "Mon-Fri 7am-5pm, Sat 8am-noon"),
            ("address", "1200 NW Everett St, Portland, OR 97209"),
        ):
            await harness.atype_into(panel, field, text)
        await until(lambda: "Evergreen Plumbing" in (panel.last_preview or ("", ""))[1])
        await until(lambda: _loaded(panel))
        heading = await js(
            view, "document.querySelector('h1') && document.querySelector('h1').textContent"
        )
        assert heading == "Sign in to Evergreen Plumbing & Heating"
        await until_js(view, LOGO_SHOWN)
        header = await js(
            view, "getComputedStyle(document.querySelector('header')).backgroundColor"
        )
        assert header == "rgb(11, 110, 79)"
        screenshot(panel, "branding-web-sign-in")
        panel.preview.select("coming_soon")
        await until(lambda: "(503) 555-0100" in panel.last_preview[1])
        await until_js(view, "document.body.innerText.includes('(503) 555-0100')")
        screenshot(panel, "branding-web-contact")
        words = {
            "invite": "Choose your password",
            "reset": "reset the password",
            "receipt": "Receipt number",
        }
        for kind in ("invite", "reset", "receipt"):
            panel.preview.select(kind)
            await until(lambda k=kind: panel.last_preview[0] == k)
            await until_js(view, f"document.body.innerText.includes('{words[kind]}')")
            await until_js(view, "[...document.images].every(i => i.complete)")
            screenshot(panel, f"branding-web-{kind}")
        panel.resize(900, 700)
        panel.preview.select("sign_in")
        await until(lambda: panel.last_preview[0] == "sign_in")
        await until_js(
            view,
            LOGO_SHOWN,
        )
        screenshot(panel, "branding-web-narrow")
        await harness.aclose()

    harness.loop.run_until_complete(scenario())


def _loaded(panel: Any) -> bool:
    return panel.last_preview is not None


async def until_js(view: Any, script: str, within: float = 20.0) -> None:
    """Wait until a JavaScript expression is true in the preview page."""
    import asyncio
    import time

    deadline = time.monotonic() + within
    while not await js(view, script):
        if time.monotonic() > deadline:
            raise AssertionError(f"never true: {script}")
        await asyncio.sleep(0.1)

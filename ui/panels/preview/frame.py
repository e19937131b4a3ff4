"""One preview: a QWebEngineView showing the server's own rendering of a contact's portal.

Imported only when the Preview panel is first opened, so QtWebEngine starts then and not with
the console. Each frame has its own off-the-record profile: no cookie, cache or storage is
written to disk or shared with another preview (published and draft side by side are two
sessions). The page keeps to the portal being previewed; other addresses open in the browser.

The page's viewport is the device width in CSS pixels (390, 768 or 1280): when the frame is
narrower, the view is zoomed out so the page still lays out at that width, scaled to fit.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QMouseEvent
from PySide6.QtWebEngineCore import (
    QWebEngineDownloadRequest,
    QWebEnginePage,
    QWebEngineProfile,
    QWebEngineScript,
    QWebEngineSettings,
)
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.preview_inspector import PICK_SCRIPT

# Scripts of the console run in a world of their own: the page's scripts cannot see them.
ISOLATED = QWebEngineScript.ScriptWorldId.ApplicationWorld.value
# QtWebEngine ignores a zoom below 25 %, so a frame is never narrower than a quarter of the
# widest device: below that the page would lay out narrower than the device instead.
MIN_ZOOM = 0.25
WIDEST = 1280


class PortalPage(QWebEnginePage):
    """A page that stays within one portal: other addresses go to the browser, no pop-ups."""

    left_portal = Signal(QUrl)

    def __init__(self, profile: QWebEngineProfile, parent: QObject) -> None:
        super().__init__(profile, parent)
        self.origin = ""
        self.base_path = "/"

    def acceptNavigationRequest(
        self, url: QUrl | str, nav_type: QWebEnginePage.NavigationType, is_main_frame: bool
    ) -> bool:
        """Allow the portal's own pages; send anything else to the browser."""
        url = QUrl(url)
        origin = f"{url.scheme()}://{url.authority()}"
        inside = origin == self.origin and url.path().startswith(self.base_path)
        if not is_main_frame or inside or url.scheme() == "data":
            return True
        if nav_type == QWebEnginePage.NavigationType.NavigationTypeLinkClicked:
            self.left_portal.emit(url)
        return False

    def createWindow(self, _type: QWebEnginePage.WebWindowType) -> QWebEnginePage:
        """No pop-up windows in a preview (Qt takes None as "refuse")."""
        return None  # type: ignore[return-value]


class PreviewFrame(QWidget):
    """A caption, then the page at its device width (scaled to fit when narrower).

    Signals: ``loaded(ok, url)`` when a page finished loading, ``picked(dict)`` with the
    markers of the element clicked in inspector mode, ``note(str)`` for a plain message.
    """

    loaded = Signal(bool, QUrl)
    picked = Signal(dict)
    note = Signal(str)

    def __init__(self, caption: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.css_width = 1280
        self.inspecting = False
        self.caption = QLabel(caption)
        self.caption.setObjectName("cardTitle")
        # The view (and the page it owns) become children of this frame before the profile:
        # Qt deletes children in that order, and a profile deleted before its page crashes.
        self.holder = QWidget(self)
        self.view = QWebEngineView(self.holder)
        self.profile = QWebEngineProfile(self)  # no storage name: off the record
        self.profile.downloadRequested.connect(self._on_download)
        # No classic scroll bars: they would take 15 px off the viewport, which then would not
        # be the device's width (phones and tablets overlay theirs). The wheel still scrolls.
        self.profile.settings().setAttribute(QWebEngineSettings.WebAttribute.ShowScrollBars, False)
        self.page = PortalPage(self.profile, self.view)
        self.view.setPage(self.page)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        self.page.left_portal.connect(self._open_outside)
        self.view.loadFinished.connect(self._on_load_finished)
        # A fresh preview link starts a new session (another contact, other drafts): Back
        # must not walk into the pages of the preview before it.
        self._fresh_history = False
        row = QHBoxLayout(self.holder)
        row.setContentsMargins(0, 0, 0, 0)
        row.addStretch(1)
        row.addWidget(self.view)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.caption)
        layout.addWidget(self.holder, 1)
        self.holder.setMinimumWidth(round(WIDEST * MIN_ZOOM))
        self._filtered: QObject | None = None
        # Qt creates the widget that receives the page's mouse events when the page first
        # renders; hook it then.
        self.view.loadStarted.connect(lambda: QTimer.singleShot(0, self._hook_mouse))

    def close_page(self) -> None:
        """Delete the page before the profile (the other order crashes QtWebEngine)."""
        self.view.setPage(None)  # type: ignore[arg-type]
        self.page.deleteLater()

    # -- loading -----------------------------------------------------------------------------

    def open(self, url: str, origin: str, base_path: str) -> None:
        """Forget the previous preview's session cookie and history, then open a fresh link.

        (The HTTP cache is kept: it holds only the portal's stylesheet and fonts, and clearing
        it interrupts the load that follows.)
        """
        self.page.origin = origin
        self.page.base_path = base_path
        self.profile.cookieStore().deleteAllCookies()
        self._fresh_history = True
        self.view.load(QUrl(url))

    def _on_load_finished(self, ok: bool) -> None:
        if self._fresh_history and not self.view.page().isLoading():
            self._fresh_history = False
            self.view.history().clear()  # keeps only the page on screen
        self.loaded.emit(ok, self.view.url())

    def url(self) -> QUrl:
        """The address on screen."""
        return self.view.url()

    # -- width -------------------------------------------------------------------------------

    def set_width(self, css_width: int) -> None:
        """Lay the page out at ``css_width`` CSS pixels, scaled to fit the frame."""
        self.css_width = css_width
        self.fit()

    def fit(self) -> None:
        """Size and zoom the view so its viewport is ``css_width`` CSS pixels wide."""
        room = max(self.holder.width(), 100)
        scale = max(MIN_ZOOM, min(1.0, room / self.css_width))
        self.view.setFixedWidth(max(1, round(self.css_width * scale)))
        if abs(self.view.zoomFactor() - scale) > 1e-3:
            self.view.setZoomFactor(scale)

    @property
    def scale(self) -> float:
        """How much the page is scaled down to fit (1.0: actual size)."""
        return self.view.zoomFactor()

    def resizeEvent(self, event: object) -> None:
        """Keep the device width when the panel is resized."""
        super().resizeEvent(event)  # type: ignore[arg-type]
        self.fit()

    # -- inspecting --------------------------------------------------------------------------

    def _hook_mouse(self) -> None:
        target = self.view.focusProxy()
        if target is not None and target is not self._filtered:
            target.installEventFilter(self)
            self._filtered = target

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """In inspector mode a click picks an element instead of following a link."""
        if self.inspecting and event.type() == QEvent.Type.MouseButtonPress:
            assert isinstance(event, QMouseEvent)
            self.pick(event.position().toPoint())
            return True
        if self.inspecting and event.type() == QEvent.Type.MouseButtonRelease:
            return True
        return super().eventFilter(watched, event)

    def pick(self, at: QPoint) -> None:
        """Ask the page which element is at ``at`` (widget pixels) and what marks it."""
        zoom = self.view.zoomFactor() or 1.0
        script = PICK_SCRIPT % (round(at.x() / zoom), round(at.y() / zoom))
        self.page.runJavaScript(script, worldId=ISOLATED, resultCallback=self._on_picked)

    def _on_picked(self, result: object) -> None:
        # Sent as JSON: Qt does not pass nested mixed objects reliably.
        try:
            result = json.loads(result) if isinstance(result, str) else None
        except ValueError:
            result = None
        if isinstance(result, dict):
            self.picked.emit(result)
            box = result.get("box")
            if isinstance(box, list):
                self.page.runJavaScript(_OUTLINE % tuple(box), worldId=ISOLATED)

    def run_js(self, script: str, callback: Callable[[Any], object] | None = None) -> None:
        """Run a script in the page's isolated world (the page's own scripts cannot see it)."""
        if callback is None:
            self.page.runJavaScript(script, worldId=ISOLATED)
        else:
            self.page.runJavaScript(script, worldId=ISOLATED, resultCallback=callback)

    # -- leaving the portal -----------------------------------------------------------------

    def _open_outside(self, url: QUrl) -> None:
        QDesktopServices.openUrl(url)
        self.note.emit(f"{url.toString()} is not part of the portal, so it opened in your browser.")

    def _on_download(self, download: QWebEngineDownloadRequest) -> None:
        download.cancel()
        self.note.emit(
            "Files are not downloaded from a preview. Use “Open in browser” to download "
            "it as the customer would."
        )


# A box drawn over the picked element, in a layer of its own so the page's layout is untouched.
_OUTLINE = """
(function (x, y, w, h) {
  var id = 'toolbag-inspector-box', box = document.getElementById(id);
  if (!box) { box = document.createElement('div'); box.id = id; document.body.appendChild(box); }
  box.style.cssText = 'position:fixed;pointer-events:none;z-index:2147483647;' +
    'border:3px solid #d9480f;border-radius:3px;background:rgba(217,72,15,0.08);' +
    'left:' + (x - 3) + 'px;top:' + (y - 3) + 'px;width:' + w + 'px;height:' + h + 'px;';
})(%f, %f, %f, %f)
"""

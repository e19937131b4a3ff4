"""The Preview panel: the server's own rendering of one contact's portal, published or draft
or both side by side, at real device widths, with an inspector that says why things show.

QtWebEngine is imported and started only when this panel is first shown (``frames``); until
then the panel is a few plain widgets. The frames live in ``ui.panels.preview.frame``.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from PySide6.QtCore import Qt, QTimer, QUrl
from PySide6.QtGui import QDesktopServices, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import QLabel, QSplitter, QStackedWidget, QVBoxLayout, QWidget

from app import previews
from app.errors import ApiError, AuthExpired, OfflineError
from app.previews import Contact, PreviewOptions
from ui.context import PanelContext
from ui.panels.preview import compare
from ui.panels.preview.picker import ContactPicker
from ui.panels.preview.prefetch import LinkPrefetch
from ui.panels.preview.toolbar import EmptyPreview, PreviewControls
from ui.panels.preview.why import WhyVisible

if TYPE_CHECKING:
    from ui.panels.preview.frame import PreviewFrame

SEARCH_DELAY_MS = 250
PREFETCH_AFTER_MS = 800


class PreviewPanel(ContactPicker, WhyVisible, QWidget):
    """Preview as a contact: published, draft, or side by side; widths; inspector."""

    def __init__(self, ctx: PanelContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.contact: Contact | None = None
        self.mode = "published"
        self.css_width = 1280
        self.path: str | None = None  # the portal page on screen, e.g. "/jobs/12"
        self.frames: dict[str, PreviewFrame] = {}
        self.retried: dict[str, bool] = {}
        self.leaves: dict[str, list[list[object]]] = {}
        self.slug = ctx.session.workspace_slug
        self.prefetch = LinkPrefetch(ctx)
        # The next contact's link is asked for once a page has been on screen a moment: while
        # someone clicks through contacts quickly it would only compete with the page loads
        # for the server (measured: switches back to back got slower with it).
        self._prefetch_timer = QTimer(self, singleShot=True, interval=PREFETCH_AFTER_MS)
        self._prefetch_timer.timeout.connect(self._prefetch_next)
        self.controls = PreviewControls()
        self.empty = EmptyPreview()
        self.split = QSplitter(Qt.Orientation.Horizontal)
        self.inspector = QLabel()
        self.inspector.setObjectName("inspector")
        self.inspector.setWordWrap(True)
        self.inspector.setTextFormat(Qt.TextFormat.RichText)
        self.inspector.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.inspector.setMinimumWidth(220)
        self.inspector.hide()
        self.body = QStackedWidget()
        self.body.addWidget(self.empty)
        shown = QSplitter(Qt.Orientation.Horizontal)
        shown.addWidget(self.split)
        shown.addWidget(self.inspector)
        shown.setStretchFactor(0, 4)
        shown.setStretchFactor(1, 1)
        self.body.addWidget(shown)
        title = QLabel("Preview")
        title.setObjectName("pageTitle")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.addWidget(title)
        layout.addWidget(self.controls)
        layout.addWidget(self.body, 1)
        self._search_timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.search)
        self._wire()
        self._set_mode("published", reload=False)
        self._set_width(1280)
        if not ctx.session.portal_active:
            self.controls.coming_soon.show()

    # -- wiring ------------------------------------------------------------------------------

    def _wire(self) -> None:
        c = self.controls
        c.search.textEdited.connect(lambda _t: self._search_timer.start())
        c.search.returnPressed.connect(self.search)
        c.customers.activated.connect(lambda _i: self._on_customer())
        c.contacts.activated.connect(lambda _i: self._on_contact())
        for key, button in c.mode_buttons.items():
            button.clicked.connect(lambda _c=False, k=key: self._set_mode(k))
        for px, button in c.width_buttons.items():
            button.clicked.connect(lambda _c=False, w=px: self._set_width(w))
        c.draft_visibility.toggled.connect(lambda _on: self.reload())
        c.draft_branding.toggled.connect(lambda _on: self.reload())
        c.coming_soon.toggled.connect(lambda _on: self.reload())
        c.back.clicked.connect(lambda: self._each(lambda f: f.view.back()))
        c.forward.clicked.connect(lambda: self._each(lambda f: f.view.forward()))
        c.reload.clicked.connect(self.reload)
        c.open_browser.clicked.connect(
            lambda: self.ctx.ops.run(self._open_in_browser(), label="Opening in browser")
        )
        c.inspect.toggled.connect(self._inspect)
        c.try_again.clicked.connect(self.reload)
        self.inspector.linkActivated.connect(self._follow)
        keys = {
            "Ctrl+1": lambda: self._set_width(390),
            "Ctrl+2": lambda: self._set_width(768),
            "Ctrl+3": lambda: self._set_width(1280),
            "Alt+Left": c.back.click,
            "Alt+Right": c.forward.click,
            "Ctrl+R": self.reload,
            "Ctrl+I": c.inspect.toggle,
        }
        for key, slot in keys.items():
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)

    def showEvent(self, event: QShowEvent) -> None:
        """First shown: start QtWebEngine and list the first customers to pick from."""
        super().showEvent(event)
        if not self.frames:
            self.ensure_frames()
            QTimer.singleShot(0, self._first_search)

    def _first_search(self) -> None:
        # Opened on a contact ("Preview as…" in Access): its customer is listed already.
        if self.contact is None:
            self.search()

    # -- the frames (QtWebEngine starts here) ------------------------------------------------

    def ensure_frames(self) -> None:
        """Build the published and draft frames; the first call starts QtWebEngine."""
        if self.frames:
            return
        from ui.panels.preview.frame import PreviewFrame  # QtWebEngine: only from here

        for key, caption in (
            ("published", "Published: what customers see now"),
            ("draft", "Draft"),
        ):
            frame = PreviewFrame(caption)
            frame.loaded.connect(lambda ok, url, k=key: self._on_loaded(k, ok, url))
            frame.picked.connect(lambda found, k=key: self._on_picked(k, found))
            frame.note.connect(self.say)
            frame.set_width(self.css_width)
            self.frames[key] = frame
            self.split.addWidget(frame)
        self.destroyed.connect(lambda *_: None)
        self._show_frames()

    def _each(self, act: Any) -> None:
        for key in self._visible_keys():
            act(self.frames[key])

    def _visible_keys(self) -> list[str]:
        return {"published": ["published"], "draft": ["draft"], "side": ["published", "draft"]}[
            self.mode
        ]

    def _show_frames(self) -> None:
        for key, frame in self.frames.items():
            frame.setVisible(key in self._visible_keys())
        self.body.setCurrentIndex(0 if self.contact is None else 1)
        if self.mode == "side":  # published and draft get half each, at the same scale
            half = max(self.split.width() // 2, 1)
            self.split.setSizes([half, half])

    # -- choosing a contact ------------------------------------------------------------------

    def show_contact(self, contact: Contact, path: str | None = None) -> asyncio.Task[Any]:
        """Preview as ``contact`` (on ``path``, else the page on screen now)."""
        self.contact = contact
        if path is not None:
            self.path = path
        self.controls.show_who(previews.who_note(contact))
        self.ensure_frames()
        self._show_frames()
        return self.reload()

    # -- mode and width ----------------------------------------------------------------------

    def _set_mode(self, mode: str, reload: bool = True) -> None:
        self.mode = mode
        self.controls.mode_buttons[mode].setChecked(True)
        drafts = mode != "published"
        self.controls.draft_visibility.setEnabled(drafts)
        self.controls.draft_branding.setEnabled(drafts)
        if self.frames:
            self._show_frames()
            if reload and self.contact is not None:
                self.reload()

    def _set_width(self, css_width: int) -> None:
        """The page's viewport width in CSS pixels; the page is not reloaded."""
        self.css_width = css_width
        self.controls.width_buttons[css_width].setChecked(True)
        for frame in self.frames.values():
            frame.set_width(css_width)
        self._show_where()

    # -- loading -----------------------------------------------------------------------------

    def reload(self) -> asyncio.Task[Any]:
        """Open fresh preview links for what is chosen, on the page on screen."""
        self.retried = {}
        self._prefetch_timer.stop()
        return self.ctx.ops.run(self._open_all(), label="Opening the preview", key="preview-open")

    async def _open_all(self) -> None:
        if self.contact is None:
            return
        self.hush()
        self.leaves = {}
        await asyncio.gather(*(self._open(key, self.path) for key in self._visible_keys()))

    def options(self, key: str) -> PreviewOptions:
        """Whom, with which drafts and whether as the coming-soon page, for one frame."""
        assert self.contact is not None
        c = self.controls
        draft = key == "draft"
        return PreviewOptions(
            self.contact.id,
            draft_visibility=draft and c.draft_visibility.isChecked(),
            draft_branding=draft and c.draft_branding.isChecked(),
            coming_soon=not self.ctx.session.portal_active and c.coming_soon.isChecked(),
        )

    async def _open(self, key: str, path: str | None) -> None:
        options = self.options(key)
        try:
            link = self.prefetch.take(options) or await previews.create_link(self.ctx.api, options)
        except (AuthExpired, OfflineError) as exc:
            self.say(exc.message, retry=True)
            raise
        except ApiError as exc:
            self._refused(exc)
            return
        url = QUrl(link.url)
        origin = f"{url.scheme()}://{url.authority()}"
        self.frames[key].open(previews.with_next(link.url, path), origin, f"/p/{self.slug}/")

    def _refused(self, exc: ApiError) -> None:
        if exc.status == 404:
            self.say(
                "This contact is no longer in this workspace (deleted, or not one of yours). "
                "Search for another contact above."
            )
            gone, self.contact = self.contact, None
            self._show_frames()
            if gone is not None:  # list that customer's contacts as they are now
                self.ctx.ops.run(self._refresh_contacts(gone.customer_id), label="Loading contacts")
        elif exc.forbidden:
            self.say("Your role may not preview the portal. Ask the workspace owner.")
        else:
            self.say(f"The preview could not be opened: {exc.message}", retry=True)

    def _on_loaded(self, key: str, ok: bool, url: QUrl) -> None:
        path = url.path()
        gone = f"/p/{self.slug}/preview/" in path
        ended = path == f"/p/{self.slug}/sign-in"
        if gone or ended:
            # The link was used or too old, or the hour-long preview session ended: open a
            # fresh link on the same page once, instead of asking the person to.
            if self.retried.get(key):
                self.say("The preview could not be reopened. Try again in a moment.", retry=True)
                return
            self.retried[key] = True
            nxt = parse_qs(url.query()).get("next", [None])[0] if ended else None
            again = previews.portal_path(nxt, self.slug) if nxt else self.path
            self.ctx.ops.run(self._open(key, again), label="Reopening the preview")
            return
        if not ok and self.frames[key].view.page().isLoading():
            return  # a newer load took over from this one
        if not ok:
            # Either the server is gone, or it answered with an error page of the portal's own
            # (a record deleted meanwhile), which is what the customer would see too.
            self.ctx.ops.run(self._server_answers(), label="Checking the server")
        self.retried[key] = False
        self.path = previews.portal_path(path, self.slug) or self.path
        self._show_where()
        frame = self.frames[key]
        self.controls.back.setEnabled(frame.view.history().canGoBack())
        self.controls.forward.setEnabled(frame.view.history().canGoForward())
        if self.mode == "side":
            frame.run_js(compare.LEAVES_SCRIPT, partial(self._on_leaves, key))
        if ok:
            self._prefetch_timer.start()

    def _prefetch_next(self) -> None:
        """Ask now for the links of the contact after this one in the picker: switching to it
        then only loads the page."""
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return  # the console is closing (its loop has stopped): nothing to prefetch for
        after = self.next_contact()
        if after is not None:
            wanted = [replace(self.options(k), contact_id=after.id) for k in self._visible_keys()]
            self.prefetch.ask(wanted)

    async def _server_answers(self) -> None:
        try:
            await self.ctx.api.health()
        except ApiError:
            self.say(
                "The server stopped answering while the preview loaded. Nothing was changed; "
                "the console reconnects by itself.",
                retry=True,
            )

    def _on_leaves(self, key: str, found: object) -> None:
        self.leaves[key] = compare.leaves(found)
        if set(self.leaves) >= {"published", "draft"}:
            pub, draft = self.leaves["published"], self.leaves["draft"]
            added = compare.differing(draft, pub)
            removed = compare.differing(pub, draft)
            self.frames["draft"].run_js(compare.mark_script(added, compare.ADDED))
            self.frames["published"].run_js(compare.mark_script(removed, compare.REMOVED))
            self.say(compare.summary(len(added), len(removed)))

    def _show_where(self) -> None:
        frame = next(iter(self.frames.values()), None)
        scale = f", shown at {frame.scale:.0%}" if frame and frame.scale < 0.999 else ""
        self.controls.where.setText(f"{self.path or '/'} · {self.css_width} px wide{scale}")

    async def _open_in_browser(self) -> None:
        if self.contact is None:
            self.say("Choose a contact first.")
            return
        key = "draft" if self.mode == "draft" else "published"
        link = await previews.create_link(self.ctx.api, self.options(key))
        QDesktopServices.openUrl(QUrl(previews.with_next(link.url, self.path)))

    # -- messages ----------------------------------------------------------------------------

    def say(self, text: str, retry: bool = False) -> None:
        """A plain message in the panel (with Try again when it helps)."""
        self.controls.message.setText(text)
        self.controls.message.show()
        self.controls.try_again.setVisible(retry)

    def hush(self) -> None:
        """Clear the panel's message."""
        self.controls.message.hide()
        self.controls.try_again.hide()

    def close_frames(self) -> None:
        """Pages before profiles: called when the panel goes away."""
        self._prefetch_timer.stop()
        self.prefetch.forget()
        for frame in self.frames.values():
            frame.close_page()

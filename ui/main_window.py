"""The main window: sidebar of panels, banners, status bar and menus. It lays out; the
console controller (ui.console) decides what happens."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from html import escape

from PySide6.QtCore import QObject, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidgetItem,
    QMainWindow,
    QProgressBar,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.session import StaffSession
from ui.context import WORKSPACE_HELPER, PanelContext
from ui.panels import PANELS
from ui.panels.coming_soon import ComingSoonPanel
from ui.resources import icon, stylesheet
from ui.widgets.banner import Banner
from ui.widgets.panel_sidebar import PanelSidebar
from ui.widgets.start_page import StartPage

COMING_SOON_KEY = "coming_soon"
# Names of panels other parts of the console point to, also before they are registered.
PANEL_TITLES = {
    "access": "Access",
    "visibility": "What customers see",
    "preview": "Preview",
    "files": "File review",
    "branding": "Branding",
    "follow_up": "Follow-up",
    "rollout": "Rollout",
    "team": "Team",
    "settings": "Settings",
}


def _heard(moment: datetime | None) -> str:
    if moment is None:
        return "No answer from the server since the console started."
    local = moment.astimezone()
    today = local.date() == datetime.now().astimezone().date()
    return f"Last heard from the server at {local:%H:%M}{'' if today else f' on {local:%d %b}'}."


class MainWindow(QMainWindow):
    """The console's window. Emits what the person asked for; shows what it is told."""

    connect_requested = Signal()
    local_requested = Signal()
    sign_out_requested = Signal()
    open_portal_requested = Signal()
    about_requested = Signal()
    sync_requested = Signal()
    cancel_requested = Signal()
    closed = Signal()

    def __init__(self, qsettings: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.qsettings = qsettings
        self.setWindowTitle("Toolbag Portal")
        self.setWindowIcon(icon("app"))
        self.setStyleSheet(stylesheet())
        self.context: PanelContext | None = None
        self.panels: dict[str, QWidget] = {}
        self._build()
        self._build_menus()
        self._build_status_bar()
        self.set_signed_in(None)
        geometry = qsettings.value("window/geometry")
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(1200, 780)

    # -- layout ----------------------------------------------------------------------------

    def _build(self) -> None:
        central = QWidget()
        outer = QVBoxLayout(central)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        self.offline_banner = Banner("warning")
        self.server_banner = Banner("error")
        self.message_banner = Banner("error")
        for banner in (self.offline_banner, self.server_banner, self.message_banner):
            outer.addWidget(banner)
        row = QHBoxLayout()
        row.setSpacing(0)
        self.sidebar = PanelSidebar()
        self.sidebar.currentItemChanged.connect(self._on_sidebar)
        row.addWidget(self.sidebar)
        self.stack = QStackedWidget()
        self.start_page = StartPage()
        self.stack.addWidget(self.start_page)
        row.addWidget(self.stack, 1)
        outer.addLayout(row, 1)
        self.setCentralWidget(central)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self.connect_action = QAction("&Connect to server…", self)
        self.connect_action.setShortcut(QKeySequence("Ctrl+Shift+O"))
        self.connect_action.triggered.connect(self.connect_requested)
        self.local_action = QAction("Use the &local workspace", self)
        self.local_action.triggered.connect(self.local_requested)
        self.open_portal_action = QAction("&Open customer portal in browser", self)
        self.open_portal_action.setShortcut(QKeySequence("Ctrl+Shift+B"))
        self.open_portal_action.triggered.connect(self.open_portal_requested)
        self.sign_out_action = QAction("&Sign out", self)
        self.sign_out_action.triggered.connect(self.sign_out_requested)
        self.quit_action = QAction("&Quit", self)
        self.quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        self.quit_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.quit_action.triggered.connect(self.close)
        for action in (self.connect_action, self.local_action, self.open_portal_action):
            file_menu.addAction(action)
        file_menu.addSeparator()
        file_menu.addAction(self.sign_out_action)
        file_menu.addAction(self.quit_action)
        view_menu = bar.addMenu("&View")
        self.sync_action = QAction("&Sync now", self)
        self.sync_action.setShortcut(QKeySequence("F5"))
        self.sync_action.triggered.connect(self.sync_requested)
        view_menu.addAction(self.sync_action)
        help_menu = bar.addMenu("&Help")
        self.about_action = QAction("&About", self)
        self.about_action.triggered.connect(self.about_requested)
        help_menu.addAction(self.about_action)

    def _build_status_bar(self) -> None:
        status = self.statusBar()
        self.server_label = QLabel()
        self.person_label = QLabel()
        self.sync_label = QLabel()
        self.work_label = QLabel()
        self.work_bar = QProgressBar()
        self.work_bar.setFixedWidth(160)
        self.work_bar.setMaximumHeight(14)
        self.cancel_button = QToolButton()
        self.cancel_button.setText("Cancel")
        self.cancel_button.clicked.connect(self.cancel_requested)
        for widget in (self.work_label, self.work_bar, self.cancel_button):
            status.addWidget(widget)
            widget.hide()
        status.addPermanentWidget(self.sync_label)
        status.addPermanentWidget(self.person_label)
        status.addPermanentWidget(self.server_label)

    # -- what the controller tells it ------------------------------------------------------

    def show_start(self, message: str, busy: bool = True, **buttons: object) -> None:
        """Show the start page (no workspace open)."""
        if busy:
            self.start_page.show_busy(message)
        else:
            self.start_page.show_choice(message, **buttons)  # type: ignore[arg-type]
        self.stack.setCurrentWidget(self.start_page)

    def set_signed_in(self, session: StaffSession | None, server_label: str = "") -> None:
        """Update the status bar and menus for who is signed in (None: nobody)."""
        self.server_label.setText(server_label or "Not connected")
        self.server_label.setToolTip(session.server_url if session else "")
        if session is None:
            self.person_label.setText("Not signed in")
            self.sync_label.setText("")
        else:
            self.person_label.setText(f"{session.name} · {session.role}")
            self.person_label.setToolTip(f"{session.email} in {session.workspace_name}")
        self.open_portal_action.setEnabled(session is not None)
        self.open_portal_action.setToolTip(
            "" if session else "Connect to a workspace first: the portal belongs to a workspace."
        )
        self.sync_action.setEnabled(session is not None)

    def set_sign_out_allowed(self, allowed: bool, why: str = "") -> None:
        """The local workspace signs in by itself; signing out there means nothing."""
        self.sign_out_action.setEnabled(allowed)
        self.sign_out_action.setToolTip(why)
        self.sign_out_action.setStatusTip(why)

    def set_sync_text(self, text: str, tooltip: str = "") -> None:
        """The sync state in the status bar."""
        self.sync_label.setText(text)
        self.sync_label.setToolTip(tooltip)

    def show_work(
        self, label: str, done: int = 0, total: int = -1, cancellable: bool = False
    ) -> None:
        """Progress of running work in the status bar (total -1: unknown)."""
        self.work_label.setText(label if total < 0 else f"{label}: {done:,} of {total:,}")
        if total < 0 and done:
            self.work_label.setText(f"{label}: {done:,}")
        # A bar only when the total is known: a busy-indicator bar adds nothing to a growing count.
        if total > 0:
            self.work_bar.setRange(0, total)
            self.work_bar.setValue(min(done, total))
        self.work_bar.setVisible(total > 0)
        self.work_label.show()
        self.cancel_button.setVisible(cancellable)

    def hide_work(self) -> None:
        """No work running."""
        for widget in (self.work_label, self.work_bar, self.cancel_button):
            widget.hide()

    def open_workspace(self, context: PanelContext) -> None:
        """List the panels of a signed-in workspace; each is built when first opened."""
        self._clear_panels()
        self.context = context
        context.open_panel = self.select_panel
        context.panel_unavailable = self.panel_unavailable
        self._fill_sidebar(context.session)
        for spec in PANELS:
            if spec.on_open is not None and self.sidebar.is_enabled(spec.key):
                spec.on_open(context, self)
        self.select_panel(self.sidebar.first_enabled_key())

    def set_portal_status(self, session: StaffSession) -> None:
        """The portal went live or back to coming soon (or permissions changed): the sidebar
        follows, and every panel already built stays as it is (a web view, a draft)."""
        if self.context is None:
            return
        current = self.current_panel_key()
        self.context.session = session
        self.set_signed_in(session, self.server_label.text())
        self._fill_sidebar(session)
        sidebar = self.sidebar
        self.select_panel(current if sidebar.is_enabled(current) else sidebar.first_enabled_key())

    def _fill_sidebar(self, session: StaffSession) -> None:
        self.sidebar.clear_quietly()
        self._why_disabled: dict[str, str] = {}
        specs = [s for s in PANELS if session.portal_active or s.available_when_coming_soon]
        if session.portal_active:
            page = self.panels.pop(COMING_SOON_KEY, None)
            if page is not None:
                self.stack.removeWidget(page)
                page.deleteLater()
        else:
            if COMING_SOON_KEY not in self.panels:
                page = ComingSoonPanel(session, self.select_panel, self.panel_unavailable)
                self.stack.addWidget(page)
                self.panels[COMING_SOON_KEY] = page
            self.sidebar.add_panel(COMING_SOON_KEY, "Coming soon", "coming-soon")
        for spec in PANELS:
            if spec not in specs:
                self.sidebar.add_panel(
                    spec.key, spec.title, spec.icon, "Opens once the customer portal is live."
                )
            elif spec.permission and not session.can(spec.permission):
                self.sidebar.add_panel(
                    spec.key,
                    spec.title,
                    spec.icon,
                    f"Your role ({session.role}) cannot use {spec.title}: it needs the "
                    f"'{spec.permission}' permission. Ask the workspace owner if you "
                    "need it.",
                )
            else:
                self.sidebar.add_panel(spec.key, spec.title, spec.icon)
        placeholder = self.panels.get(COMING_SOON_KEY)
        if isinstance(placeholder, ComingSoonPanel):
            placeholder.refresh()  # the sidebar is complete: say which cards open

    def panel_unavailable(self, key: str) -> str | None:
        """Why the panel ``key`` cannot be opened now, in plain English (None: it can)."""
        if self.sidebar.is_enabled(key):
            return None
        spec = next((s for s in PANELS if s.key == key), None)
        title = PANEL_TITLES.get(key, key)
        if spec is None:
            return f"{title} is not available in this console yet; it arrives with an update."
        return self.sidebar.tooltip_of(key) or f"{spec.title} cannot be opened now."

    def panel(self, key: str) -> QWidget | None:
        """The panel with ``key``, built now if it was not yet (None: not available)."""
        page = self.panels.get(key)
        if page is not None or self.context is None or not self.sidebar.is_enabled(key):
            return page
        spec = next((s for s in PANELS if s.key == key), None)
        if spec is None:
            return None
        page = spec.factory(self.context)
        self.stack.addWidget(page)
        self.panels[key] = page
        return page

    def _clear_panels(self) -> None:
        self.sidebar.clear_quietly()
        for page in self.panels.values():
            self.stack.removeWidget(page)
            page.deleteLater()
        self.panels = {}
        # What a panel started for the workspace (a tray icon, a notifier) ends with it.
        for helper in self.findChildren(QObject, WORKSPACE_HELPER):
            helper.deleteLater()

    def close_workspace(self, message: str) -> None:
        """Forget the panels (signed out, or switching server); offer what can be done next."""
        self._clear_panels()
        self.context = None
        self.set_signed_in(None)
        self.show_start(
            message,
            busy=False,
            primary=("Sign in…", self.connect_requested.emit),
            secondary=("Use the local workspace", self.local_requested.emit),
        )

    def select_panel(self, key: str | None) -> None:
        """Show the panel with ``key`` (if it is enabled), building it on first use."""
        page = None if key is None else self.panel(key)
        if page is None:
            if self.context is None:
                self.stack.setCurrentWidget(self.start_page)
            return
        self.sidebar.mark_current(key)
        self.stack.setCurrentWidget(page)

    def current_panel_key(self) -> str | None:
        """The key of the panel on screen, or None."""
        return self.sidebar.current_key()

    def _on_sidebar(self, item: QListWidgetItem | None, _previous: object = None) -> None:
        if item is not None:
            self.select_panel(str(item.data(Qt.ItemDataRole.UserRole)))

    # -- banners ---------------------------------------------------------------------------

    def show_offline(
        self, message: str, last_heard: datetime | None, retry: Callable[[], object]
    ) -> None:
        """The offline banner: cached data stays readable, changes need the server."""
        self.offline_banner.show_message(
            f"<b>Offline.</b> {escape(message)} {_heard(last_heard)}<br>You can keep reading "
            "the data saved on this computer; changes need the server. The console reconnects "
            "by itself as soon as the server answers.",
            kind="warning",
            icon_name="offline",
            actions={"Retry now": retry},
            closable=False,
        )

    def show_sync_problem(
        self, message: str, last_heard: datetime | None, retry: Callable[[], object]
    ) -> None:
        """The server answers but a sync failed (a server error, a page not written)."""
        self.offline_banner.show_message(
            f"<b>Sync problem.</b> {escape(message)} {_heard(last_heard)}<br>The data on "
            "screen is what was saved before the problem; nothing was lost. Details are in "
            "the log (Help ▸ About shows where).",
            kind="warning",
            icon_name="warning",
            actions={"Retry now": retry},
            closable=False,
        )

    def hide_offline(self) -> None:
        """Back online."""
        self.offline_banner.hide()

    def show_error(self, message: str, retry: Callable[[], object] | None = None) -> None:
        """The one place errors are shown: a plain-English bar, with Try again when possible."""
        self.message_banner.show_message(
            message,
            kind="error",
            icon_name="warning",
            actions={"Try again": retry} if retry else {},
        )

    def hide_error_if(self, messages: set[str]) -> None:
        """Hide the error bar if it shows one of ``messages`` (no longer true)."""
        if self.message_banner.isVisible() and self.message_banner.text.text() in messages:
            self.message_banner.hide()

    # -- closing ---------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        """Remember the geometry and tell the controller; it cancels work and stops the server."""
        self.qsettings.setValue("window/geometry", self.saveGeometry())
        self.qsettings.sync()
        event.accept()
        self.closed.emit()

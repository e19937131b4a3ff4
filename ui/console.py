"""The console controller: opens a workspace (local or remote), signs in and out, keeps sync
running, and routes errors. The main window only lays out; this decides."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Any

import httpx
from PySide6.QtCore import QObject, QSettings

from app import known_sessions, log_files
from app.api_client import ApiClient
from app.cache import Cache, remove_cache_files
from app.config import Config
from app.credentials import CredentialStore
from app.errors import ApiError, AuthExpired
from app.local_server import LocalServer
from app.session import StaffSession
from app.sync import SyncEngine, SyncState
from ui.context import PanelContext
from ui.dialogs.about import AboutDialog
from ui.dialogs.connect import ConnectDialog, SignedIn, ask_sign_in
from ui.dialogs.portal_address import PortalAddressDialog, open_portal
from ui.dialogs.sign_out import SignOutDialog, ask_sign_out
from ui.local_workspace import LocalWorkspace
from ui.main_window import MainWindow
from ui.operations import CoroFactory, Operations
from ui.sync_status import SyncStatus
from ui.workspace_objects import freeze_workspace_objects, thaw_workspace_objects

log = logging.getLogger(__name__)


class Console(LocalWorkspace, SyncStatus, QObject):
    """Everything between the window and app/: workspace lifecycle, sign-in, sync, errors."""

    def __init__(
        self,
        window: MainWindow,
        http: httpx.AsyncClient,
        config: Config,
        qsettings: QSettings,
        *,
        credentials: CredentialStore | None = None,
        local: LocalServer | None = None,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.http = http
        self.config = config
        self.qsettings = qsettings
        self.credentials = credentials or CredentialStore()
        self.ops = Operations(self)
        self.local: LocalServer | None = local
        self.api: ApiClient | None = None
        self.session: StaffSession | None = None
        self.cache: Cache | None = None
        self.sync: SyncEngine | None = None
        self.last_sync: datetime | None = None
        self._reauth: asyncio.Future[bool] | None = None
        # A sign-in opened from what was remembered, to confirm once the server answers.
        self._confirm: tuple[str, str] | None = None
        self._confirm_task: asyncio.Task[None] | None = None
        self._offline_messages: set[str] = set()
        self._dialog: ConnectDialog | None = None
        self._about: AboutDialog | None = None
        self._portal_dialog: PortalAddressDialog | None = None
        self._sign_out_dialog: SignOutDialog | None = None
        self._wire()

    # -- wiring ----------------------------------------------------------------------------

    def _wire(self) -> None:
        w = self.window
        w.connect_requested.connect(lambda: self.ops.run(self.connect_interactive, label="Connect"))
        w.local_requested.connect(lambda: self.ops.run(self.open_local, label="Local workspace"))
        w.sign_out_requested.connect(lambda: self.ops.run(self.sign_out, label="Signing out"))
        w.open_portal_requested.connect(self.open_portal)
        w.about_requested.connect(lambda: self.ops.run(self.show_about, label="About"))
        w.sync_requested.connect(self.sync_now)
        w.cancel_requested.connect(lambda: self.ops.cancel())
        self.ops.busy.connect(lambda label: None)
        self.ops.progressed.connect(lambda label, d, t: w.show_work(label, d, t))
        self.ops.idle.connect(self._maybe_hide_work)
        self.ops.failed.connect(self._show_failure)
        self.ops.auth_expired.connect(lambda _e: self.ops.run(self.reauthenticate, label="Sign in"))
        self.ops.offline.connect(self._on_action_offline)

    def _show_failure(self, message: str, retry: CoroFactory | None) -> None:
        again = (lambda: self.ops.run(retry, label="Trying again")) if retry else None
        self.window.show_error(message, again)

    def _on_action_offline(self, error: ApiError) -> None:
        # The banner follows the sync engine, which checks at once and reconnects by itself;
        # the action's own "cannot reach" message goes away when the server answers again.
        self._offline_messages.add(error.message)
        if self.sync is not None:
            self.sync.report_offline(error)

    def _maybe_hide_work(self) -> None:
        if self.sync is None or self.sync.state != SyncState.SYNCING:
            self.window.hide_work()

    # -- starting --------------------------------------------------------------------------

    async def start(self, server_url: str | None) -> None:
        """Open the given server, the configured one, or the embedded local workspace."""
        url = (server_url or self.config.server_url or "").rstrip("/")
        if not url:
            await self.open_local()
            return
        email = self.config.last_email
        token = self.credentials.load(url, email) if email else None
        remembered = known_sessions.recall(url, email) if token else None
        if token and remembered is not None:
            # The cache opens at once, marked as not yet confirmed; the sync engine reaches the
            # server (or keeps trying, offline) and a refused sign-in asks again.
            await self.open_session(url, email, token, source=url, me=remembered)
            return
        if token:
            self.window.show_start(f"Connecting to {url}…")
            try:
                await self.open_session(url, email, token, source=url)
                return
            except AuthExpired:
                self.credentials.delete(url, email)
            except ApiError as exc:
                self.window.show_start(
                    f"{exc.message}",
                    busy=False,
                    primary=(
                        "Try again",
                        lambda: self.ops.run(lambda: self.start(url), label="Connecting"),
                    ),
                    secondary=("Use the local workspace", self.window.local_requested.emit),
                )
                return
        await self.connect_interactive(server_url=url, email=email)

    # -- sessions --------------------------------------------------------------------------

    async def open_session(
        self,
        url: str,
        email: str,
        token: str | None,
        *,
        source: str,
        me: dict[str, Any] | None = None,
        start_sync: bool = True,
    ) -> None:
        """Check the token with ``/auth/me``, open the cache, build the panels, start sync.

        With ``me`` (remembered from an earlier sign-in) the cache opens before the server has
        answered anything: the rows show at once, and the sync engine confirms the sign-in.
        """
        api = ApiClient(url, self.http, token)
        confirmed = me is None
        if me is None:
            me = await api.me()
        session = StaffSession.from_me(url, me)
        same = self.session is not None and (
            self.session.server_url,
            self.session.email,
            self.session.workspace_id,
        ) == (session.server_url, session.email, session.workspace_id)
        if same and self.api is not None:
            self.api.token = token  # the panels keep their client and state
            self._set_session(session)
            assert self.sync is not None
            self.sync.wake()
            if confirmed:
                known_sessions.remember(url, email, me)
            return
        await self.close_session()
        self.api, self.session = api, session
        self.cache = Cache(session.cache_file)
        self.sync = SyncEngine(
            api,
            self.cache,
            page_size=self.config.sync_page_size,
            interval=self.config.local_sync_interval
            if source == "local"
            else self.config.sync_interval,
            offline_max_delay=self.config.reconnect_max_delay,
        )
        self.sync.on_state(self._on_sync_state)
        self.sync.on_progress(self._on_sync_progress)
        self.sync.on_error(self._on_sync_error)
        self.sync.on_checked(self._on_sync_checked)
        self.cache.on_records_changed(self._on_records)
        label = "Local workspace" if source == "local" else url
        self.window.set_signed_in(session, label)
        self.window.set_sign_out_allowed(
            source != "local",
            "The local workspace signs you in as its owner by itself." if source == "local" else "",
        )
        context = PanelContext(
            api, session, self.cache, self.sync, self.ops, self.config, self.qsettings
        )
        self.window.open_workspace(context)
        if self.window.current_panel_key() != "access":
            context.cached_rows_shown.set()  # no customer list on screen to wait for
        freeze_workspace_objects()
        if confirmed:
            known_sessions.remember(url, email, me)
        else:
            self.window.set_sync_text("Connecting…", "Showing the data saved on this computer")
            self._confirm = (url, email)
        if start_sync:
            self.start_sync()

    def start_sync(self) -> None:
        """Start the sync engine; with the customer list on screen, after its cached rows."""
        context = self.window.context
        if self.sync is not None and context is not None:
            self.sync.start(first=context.cached_rows_shown)

    def _set_session(self, session: StaffSession) -> None:
        """A newer view of the same sign-in (permissions or portal status changed)."""
        self.session = session
        if self.window.context is not None:
            self.window.context.session = session
            self.window.set_portal_status(session)

    async def close_session(self) -> None:
        """Stop sync and close the cache of the open workspace (the token is kept)."""
        sync, cache = self.sync, self.cache
        self.sync = self.cache = None
        self.api = self.session = None
        if sync is not None:
            await sync.stop()
        if cache is not None:
            cache.close()
            thaw_workspace_objects()
        self.window.hide_offline()

    async def connect_interactive(self, server_url: str = "", email: str = "") -> None:
        """Ask for server, email and password; on success open that workspace."""
        result = await self.ask_sign_in(
            server_url
            or (self.session.server_url if self.session and not self.is_local else "")
            or self.config.server_url,
            email or self.config.last_email,
        )
        if result is None:
            if self.session is None:
                self.window.show_start(
                    "Not connected.",
                    busy=False,
                    primary=("Connect to a server…", self.window.connect_requested.emit),
                    secondary=("Use the local workspace", self.window.local_requested.emit),
                )
            return
        url, email, token = result
        self._remember(url, email, token)
        await self.open_session(url, email, token, source=url)

    def _remember(self, url: str, email: str, token: str) -> None:
        self.config.set("server_url", url)
        self.config.set("last_email", email)
        if not self.credentials.save(url, email, token):
            self.window.show_error(self.credentials.problem or "The sign-in cannot be remembered.")

    async def ask_sign_in(self, server_url: str, email: str, reason: str = "") -> SignedIn | None:
        """Show the sign-in dialog until a sign-in works or the person cancels."""
        dialog = ConnectDialog(self.window, server_url=server_url, email=email, reason=reason)
        dialog.use_local.connect(lambda: self.ops.run(self.open_local, label="Local workspace"))
        self._dialog = dialog
        try:
            return await ask_sign_in(dialog, self.http, self.ops)
        finally:
            self._dialog = None
            dialog.deleteLater()

    async def reauthenticate(self) -> None:
        """The token was refused: sign in again without losing the panel on screen."""
        if self._reauth is not None:  # one dialog, however many requests failed
            await self._reauth
            return
        self._reauth = asyncio.get_running_loop().create_future()
        try:
            ok = await self._reauthenticate()
        finally:
            fut, self._reauth = self._reauth, None
        fut.set_result(ok)

    async def _reauthenticate(self) -> bool:
        if self.session is None or self.api is None:
            return False
        if self.is_local and self.local is not None:
            self.api.token = await self.local.issue_token()
        else:
            url, email = self.session.server_url, self.session.email
            self.credentials.delete(url, email)
            result = await self.ask_sign_in(
                url,
                email,
                reason="Your sign-in has expired. Sign in again to carry on where you were.",
            )
            if result is None:
                return False
            self._remember(*result)
            await self.open_session(*result, source=result[0])
            return True
        if self.sync is not None:
            self.sync.wake()
        return True

    async def sign_out(self) -> None:
        """Ask, revoke the token on the server, forget it here (and the workspace's data if
        chosen), and offer a new sign-in."""
        if self.api is None or self.session is None or self.is_local:
            return
        session = self.session
        url, email = session.server_url, session.email
        # Any server but the embedded one is remote: its customers' data goes by default.
        dialog = SignOutDialog(session.workspace_name, url, remove_default=True, parent=self.window)
        self._sign_out_dialog = dialog
        try:
            remove = await ask_sign_out(dialog)
        finally:
            self._sign_out_dialog = None
            dialog.deleteLater()
        if remove is None or self.session is not session or self.api is None:
            return
        try:
            await self.api.sign_out()
        except ApiError as exc:  # offline: the token is still forgotten here
            log.info("sign-out could not reach the server: %s", exc.message)
        self.credentials.delete(url, email)
        await self.close_session()
        self.window.close_workspace("Signing out…")
        if remove:
            await self.ops.cancel_others()
            remove_cache_files(session.cache_file)
            known_sessions.forget(url, email)
            log.info("signed out of %s and removed its local data", url)
            note = "Signed out. This workspace's data was removed from this computer."
        else:
            note = "Signed out. This workspace's data stays on this computer for your next sign-in."
        self.window.close_workspace(note)
        await self.connect_interactive(url, email)

    # -- other actions ---------------------------------------------------------------------

    def open_portal(self) -> None:
        """Open this workspace's customer portal in the default browser."""
        if self.session is not None:
            self._portal_dialog = open_portal(self.session.portal_url, self.window)

    async def show_about(self) -> None:
        """The About box, with the server's version when it answers."""
        version = None
        if self.api is not None:
            try:
                version = str((await self.api.health()).get("version"))
            except ApiError:
                version = "not reachable"
        self._about = AboutDialog(self.api.base_url if self.api else "", version, self.window)
        self._about.open()

    async def shutdown(self) -> list[str]:
        """Cancel in-flight work, stop sync, close the cache and stop the local server.

        Returns the labels of work that did not end when cancelled (empty when all did).
        """
        for dialog in (self._dialog, self._sign_out_dialog):
            if dialog is not None:
                dialog.reject()
        stuck = await self.ops.shutdown()
        await self.close_session()
        if self.local is not None:
            await self.local.stop()
        log.info("console closed; log at %s", log_files.log_file())
        return stuck

"""The embedded local workspace part of the console controller: start, watch, restart."""

from __future__ import annotations

import asyncio
from typing import Any

from app import known_sessions, paths
from app.local_server import LocalServer, LocalServerError


class LocalWorkspace:
    """Mixed into ``Console``: opening the local workspace and keeping its server alive."""

    local: LocalServer | None

    async def open_local(self: Any) -> None:
        """Start (or reuse) the embedded local portal server and open its workspace."""
        await self.close_session()
        if self.local is None:
            self.local = LocalServer(
                paths.local_server_dir(),
                paths.log_dir() / "local-server.log",
                demo_customers=self.config.local_demo_customers,
            )
        early = None if self.local.alive else self.local.remembered_url
        me = known_sessions.recall(early, self.local.owner_email) if early else None
        if early and me is not None:
            # The workspace keeps its address: its cache opens now, while the server starts.
            await self.open_session(
                early, self.local.owner_email, None, source="local", me=me, start_sync=False
            )
            # What the panels ask meanwhile waits for the server instead of failing.
            self.api.hold()
            self.window.set_sync_text("Starting the local workspace…")
        else:
            early = None
            self.window.show_start("Starting the local workspace…")
        try:
            if self.local.alive:
                token = await self.local.issue_token()
            elif early:
                token = await self.local.start(progress=self.window.set_sync_text)
            else:
                token = await self.local.start(progress=self.window.show_start)
        except asyncio.CancelledError:
            self._release_held()
            raise
        except LocalServerError as exc:
            self._release_held()
            await self.close_session()
            self.window.close_workspace("")
            self.window.show_start(
                exc.message,
                busy=False,
                primary=(
                    "Try again",
                    lambda: self.ops.run(self.open_local, label="Local workspace"),
                ),
                secondary=("Connect to a server…", self.window.connect_requested.emit),
            )
            return
        self.local.watch(self._local_died)
        self.window.server_banner.hide()
        if self.config.server_url:
            self.config.set("server_url", "")
        if early == self.local.url and self.api is not None and self.sync is not None:
            self.api.token = token
            self.api.release()
            self.start_sync()
            return
        self._release_held()  # the workspace moved to another port: its panels are rebuilt
        await self.open_session(self.local.url, self.local.owner_email, token, source="local")

    def _release_held(self: Any) -> None:
        if self.api is not None:
            self.api.release()

    def _local_died(self: Any, code: int | None) -> None:
        self.window.server_banner.show_message(
            f"The local workspace stopped unexpectedly (exit code {code}). Your data is safe on "
            "this computer; the console shows what it last saw.",
            kind="error",
            icon_name="warning",
            closable=False,
            actions={"Restart it": lambda: self.ops.run(self.restart_local, label="Restarting")},
        )

    async def restart_local(self: Any) -> None:
        """Start the local server again and continue with the same panels."""
        assert self.local is not None
        self.window.server_banner.show_message(
            "Restarting the local workspace…", kind="info", closable=False
        )
        try:
            token = await self.local.start()
        except LocalServerError as exc:
            self._local_died(None)
            self.window.show_error(exc.message)
            return
        self.local.watch(self._local_died)
        self.window.server_banner.hide()
        if self.api is not None:
            self.api.base_url = self.local.url
            self.api.token = token
        if self.sync is not None:
            self.sync.wake()

    @property
    def is_local(self: Any) -> bool:
        """The open workspace is the embedded one."""
        return (
            self.local is not None
            and self.api is not None
            and self.local.port is not None
            and self.api.base_url == self.local.url
        )

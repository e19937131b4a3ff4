"""The Access panel: find a customer, see why they cannot sign in, fix it; roll out invites.

This module wires the views to ``app.access`` coroutines through ``Operations``; the views
themselves only lay out.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QSplitter, QTabWidget, QVBoxLayout, QWidget

from app import access, customer_snapshot
from app.bulk_choice import contacts_from_records, shared_with
from app.errors import ApiError, OfflineError
from app.rollout_summary import rollout_lines, status_counts
from server.wire.permissions import Permission
from ui.context import PanelContext
from ui.models.customers import STATUS_COLUMN, CustomerTableModel
from ui.panels.access.bulk import BulkInviteView
from ui.panels.access.cleanup import EmailCleanupView
from ui.panels.access.customer_index import build_index
from ui.panels.access.customer_list import CustomerList
from ui.panels.access.detail import DetailPane
from ui.panels.access.dialogs import DisableDialog, EmailDialog, InviteDialog, InviteSentDialog
from ui.panels.access.zone_dialog import ZoneDialog
from ui.panels.navigate import PREVIEW, open_panel

# More changed ids than this at once (a resync) rebuild the index instead of patching rows;
# patching reads and re-indexes each row on the UI thread, so keep it well under 50 ms.
PATCH_LIMIT = 1000
REBUILD_GAP = 2.0  # seconds between two rebuilds while changes keep coming
DONE = {
    "resend": "A new invite was sent to {email}.",
    "revoke": "The invite link for {email} no longer works.",
    "disable": "Portal access for {email} is disabled.",
    "enable": "Portal access for {email} is enabled again.",
    "reset": "A password reset link was emailed to {email}.",
    "unlock": "{email} can try to sign in again.",
}


class AccessPanel(QWidget):
    """Customer list with detail and actions, bulk invites, and email clean-up."""

    def __init__(self, ctx: PanelContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.dialog: Any = None
        self.shown_id: int | None = None
        self.model = CustomerTableModel(self)
        self.list = CustomerList(self.model)
        self.detail = DetailPane(ctx.session.can, needs_permission(ctx, "preview"))
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.list)
        splitter.addWidget(self.detail)
        # The table keeps room for all five columns (portal status above all) next to the
        # detail pane in a normal-sized window; extra width goes mostly to the table.
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([820, 420])
        self.tabs = QTabWidget()
        self.tabs.addTab(splitter, "Customers")
        # Shown to every role; a role without the permission sees it disabled and why.
        self.bulk = BulkInviteView(ctx, self.visible_rows, lambda: self.model.index_.rows)
        bulk_tab = self.tabs.addTab(self.bulk, "Bulk invite")
        if not ctx.session.can(Permission.BULK_INVITE):
            self.tabs.setTabEnabled(bulk_tab, False)
            self.tabs.setTabToolTip(bulk_tab, needs_permission(ctx, "bulk invite"))
        self.cleanup = EmailCleanupView(ctx)
        self.tabs.addTab(self.cleanup, "Email clean-up")
        self.tabs.currentChanged.connect(self._on_tab)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.tabs)

        self.list.customer_selected.connect(self.show_customer)
        self.model.modelReset.connect(self.show_overview)
        # A detail that could not load (offline) loads again when its row is clicked, and by
        # itself once the server answers again.
        self._detail_failed: int | None = None
        self.list.table.clicked.connect(self._on_row_clicked)
        ctx.sync.on_state(self._on_sync_state)
        self.detail.action_requested.connect(self.request_action)
        self._unhook = ctx.cache.on_customers_changed(self._on_cache_changed)
        self.destroyed.connect(lambda *_a, stop=self._unhook: _quietly(stop))
        self._rebuild_timer = QTimer(self, singleShot=True, interval=300)
        self._rebuild_timer.timeout.connect(self.load)
        # Invites expire and lockouts end while the console is open: re-read statuses.
        self._clock = QTimer(self, interval=60_000)
        self._clock.timeout.connect(self._tick)
        self._clock.start()
        self.loading: asyncio.Task[Any] | None = None
        self._opened = False
        self._reload = False
        QTimer.singleShot(0, self.load)

    # -- the list ------------------------------------------------------------------------------

    def load(self) -> asyncio.Task[Any]:
        """Show the cached customers and keep the list's search index in step with the cache.

        One load at a time: asked again while one runs, it builds once more when that is done
        (a cancelled task would leave its worker thread building anyway).
        """
        if self.loading is not None and not self.loading.done():
            self._reload = True
            return self.loading
        self._reload = False
        self.loading = self.ctx.ops.run(self._load(), label="Loading customers", key="access-load")
        return self.loading

    async def _load(self) -> None:
        cache = self.ctx.cache
        if not self._opened:
            # First the index saved by the last run: the list shows and searches at once,
            # and is rebuilt below only if the cache has changed since.
            self._opened = True
            saved = await asyncio.to_thread(customer_snapshot.load, cache.index_path)
            if saved is not None:
                saved[1].refresh_statuses()
                self.model.set_index(saved[1])
            # Set after the rows painted (the next turn of the loop), or at once when nothing
            # was saved: the sync engine's first round trip waits for this.
            QTimer.singleShot(0, self.ctx.cached_rows_shown.set)
            if saved is not None and saved[0] == cache.customers_generation:
                return
        while True:
            self._reload = False
            index = await build_index(cache)
            self.model.set_index(index)
            if not self._reload:
                return
            # Rows keep arriving (a full sync): show them in steps, not one build after another.
            await asyncio.sleep(REBUILD_GAP)

    def visible_rows(self) -> list[Any]:
        """The customers the list shows now (search and filter applied)."""
        return [self.model.row_at(r) for r in range(self.model.rowCount())]

    def _on_cache_changed(self, ids: set[int]) -> None:
        index = self.model.index_
        if len(ids) > PATCH_LIMIT or any(i not in index.position for i in ids):
            self._rebuild_timer.start()
            return
        rows = self.ctx.cache.get_customers(ids)
        if len(rows) != len(ids):  # some were deleted
            self._rebuild_timer.start()
            return
        self.model.update_rows(rows)

    def _tick(self) -> None:
        if self.model.index_.refresh_statuses():
            last = self.model.rowCount() - 1
            if last >= 0:
                top, bottom = self.model.index(0, STATUS_COLUMN), self.model.index(last, 3)
                self.model.dataChanged.emit(top, bottom)
            self.show_overview()

    def show_section(self, name: str) -> None:
        """Bring a tab forward: ``customers``, ``bulk`` or ``cleanup`` (from other panels)."""
        widget = {"bulk": self.bulk, "cleanup": self.cleanup}.get(name)
        index = self.tabs.indexOf(widget) if widget is not None else 0
        if self.tabs.isTabEnabled(index):
            self.tabs.setCurrentIndex(index)

    def show_overview(self) -> None:
        """With no customer chosen, the detail pane shows the workspace's rollout."""
        if self.shown_id is None:
            counts = status_counts(self.model.index_.statuses)
            self.detail.show_overview(rollout_lines(counts, self.ctx.session.portal_active))

    def _on_tab(self, i: int) -> None:
        if self.tabs.widget(i) is self.cleanup and not self.cleanup.loaded:
            self.cleanup.load()

    # -- the detail ----------------------------------------------------------------------------

    def show_customer(self, customer_id: int) -> asyncio.Task[Any]:
        """Load one customer's details and history (a newer pick cancels an older one)."""
        self.shown_id = customer_id
        row = self.model.index_.rows[self.model.index_.position[customer_id]]
        self.detail.show_loading(row.name)
        return self.ctx.ops.run(
            self._show(customer_id), label=f"Opening {row.name}", key="access-detail"
        )

    async def _show(self, customer_id: int) -> None:
        self._detail_failed = None
        try:
            detail, events = await asyncio.gather(
                access.customer_detail(self.ctx.api, customer_id),
                self._history(customer_id),
            )
        except ApiError as exc:
            if self.shown_id == customer_id:
                self._detail_failed = customer_id
                self.detail.show_error(
                    f"{exc.message} The details load again when the server answers."
                    if isinstance(exc, OfflineError)
                    else exc.message
                )
            raise
        self.detail.formats = self.ctx.local_format()
        self.detail.show_customer(detail)
        self.detail.show_history(events)

    def _on_row_clicked(self, index: Any) -> None:
        failed = self._detail_failed
        if failed is not None and index.isValid() and self.model.customer_id(index.row()) == failed:
            self.show_customer(failed)

    def _on_sync_state(self, state: str) -> None:
        failed = self._detail_failed
        if state == "online" and failed is not None and failed in self.model.index_.position:
            self.show_customer(failed)

    async def _history(self, customer_id: int) -> list[dict[str, Any]]:
        if not self.ctx.session.can(Permission.VIEW_AUDIT):
            return []
        return await access.customer_audit(self.ctx.api, customer_id)

    # -- actions -------------------------------------------------------------------------------

    def request_action(self, action: str, contact_id: int) -> None:
        """A button on a contact was pressed: confirm when needed, then act."""
        contact = self.detail.contact(contact_id)
        customer = self.detail.customer
        if contact is None or customer is None:
            return
        if action == "preview":
            self.preview_as(customer, contact_id)
        elif action == "invite":
            self.ctx.ops.run(
                self._open_invite(customer, contact_id), label="Checking the email", key="invite"
            )
        elif action == "edit_email":
            editor = EmailDialog(contact, self)
            editor.save_requested.connect(lambda email: self.fix_email(contact_id, email))
            self._open(editor)
        elif action == "edit_zone":
            zones = ZoneDialog(contact, self.ctx.local_format().time_zone, self)
            zones.save_requested.connect(
                lambda zone: self.ctx.ops.run(self._save_zone(contact_id, zone), label="Saving")
            )
            self._open(zones)
        elif action == "disable":
            disable = DisableDialog(contact["name"], contact.get("email") or "", self)
            disable.confirmed.connect(lambda reason: self.act("disable", contact_id, reason))
            self._open(disable)
        else:
            self.act(action, contact_id)

    def preview_as(self, customer: dict[str, Any], contact_id: int) -> Any:
        """Open the Preview panel as one of this customer's contacts."""
        panel = open_panel(self, PREVIEW)
        if panel is None:
            self.detail.status.setText(
                "The Preview is not available to your role. Ask the workspace owner for the "
                "“preview” permission."
            )
            return None
        return panel.preview_as(customer, contact_id)

    def _open(self, dialog: Any) -> None:
        self.dialog = dialog
        dialog.open()

    async def _open_invite(self, customer: dict[str, Any], contact_id: int) -> None:
        shared = await asyncio.to_thread(self._shared_with, customer)
        dialog = InviteDialog(
            customer["name"],
            customer["contacts"],
            shared,
            portal_active=self.ctx.session.portal_active,
            can_edit=self.ctx.session.can(Permission.EDIT_CONTACTS),
            parent=self,
        )
        dialog.select_contact(contact_id)
        dialog.confirmed.connect(lambda cid: self.act("invite", cid))
        dialog.email_edit_requested.connect(lambda cid, email: self.fix_email(cid, email))
        self._open(dialog)

    def _shared_with(self, customer: dict[str, Any]) -> dict[int, list[str]]:
        names = {r.id: r.name for r in self.model.index_.rows}
        contacts = contacts_from_records(self.ctx.cache.records("contact"), names)
        emails = {int(c["id"]): c.get("email") for c in customer["contacts"]}
        return shared_with(contacts, int(customer["id"]), emails)

    def fix_email(self, contact_id: int, email: str | None) -> asyncio.Task[Any]:
        """Correct a contact's email from the invite dialog, then offer the invite again."""
        return self.ctx.ops.run(self._fix_email(contact_id, email), label="Saving email")

    async def _fix_email(self, contact_id: int, email: str | None) -> None:
        dialog = self.dialog
        try:
            _, etag = await access.get_contact(self.ctx.api, contact_id)
            await access.patch_contact(self.ctx.api, contact_id, etag, {"email": email})
        except ApiError as exc:
            message = exc.errors.get("email") or exc.message
            if isinstance(dialog, InviteDialog | EmailDialog) and dialog.isVisible():
                dialog.email_not_saved(f"Not saved: {message}")
                return
            raise
        self.cleanup.loaded = False  # its counts are read again when next opened
        if isinstance(dialog, EmailDialog):
            dialog.accept()
            self.detail.status.setText(f"Email saved: {email}.")
        customer_id = self.shown_id
        if customer_id is None:
            return
        await self._refresh(customer_id)
        customer = self.detail.customer
        if isinstance(dialog, InviteDialog) and dialog.isVisible() and customer is not None:
            shared = await asyncio.to_thread(self._shared_with, customer)
            dialog.update_contacts(customer["contacts"], shared)

    async def _save_zone(self, contact_id: int, zone: str | None) -> None:
        dialog = self.dialog
        try:
            _, etag = await access.get_contact(self.ctx.api, contact_id)
            await access.patch_contact(self.ctx.api, contact_id, etag, {"time_zone": zone})
        except ApiError as exc:
            if isinstance(dialog, ZoneDialog) and dialog.isVisible():
                dialog.not_saved(f"Not saved: {exc.errors.get('time_zone') or exc.message}")
                return
            raise
        if isinstance(dialog, ZoneDialog):
            dialog.accept()
        if self.shown_id is not None:
            await self._refresh(self.shown_id)
        self.detail.status.setText(f"Time zone saved: {zone or 'same as the business'}.")

    def act(self, action: str, contact_id: int, reason: str | None = None) -> asyncio.Task[Any]:
        """Run one access action, then refresh the customer in place."""
        label = f"{access.ACTIONS[action][1].capitalize()} for contact {contact_id}"
        return self.ctx.ops.run(self._act(action, contact_id, reason), label=label)

    async def _act(self, action: str, contact_id: int, reason: str | None) -> None:
        contact = self.detail.contact(contact_id) or {}
        customer_id = self.shown_id
        answer = await access.access_action(self.ctx.api, action, contact_id, reason=reason)
        if action == "invite":
            self.dialog = InviteSentDialog(answer, contact.get("name", ""), self)
            self.dialog.open()
        else:
            self.detail.status.setText(DONE[action].format(email=contact.get("email", "")))
        if customer_id is not None:
            await self._refresh(customer_id)

    async def _refresh(self, customer_id: int) -> None:
        detail, events = await asyncio.gather(
            access.customer_detail(self.ctx.api, customer_id), self._history(customer_id)
        )
        # The detail is a list row too: the table row updates in place through the cache.
        await self.ctx.cache.store_customers([detail])
        if self.shown_id == customer_id:
            status = self.detail.status.text()
            self.detail.formats = self.ctx.local_format()
            self.detail.show_customer(detail)
            self.detail.show_history(events)
            self.detail.status.setText(status)


def needs_permission(ctx: PanelContext, permission: str) -> str:
    """The tooltip of something the signed-in role may not use, naming the permission."""
    return (
        f"Needs the “{permission}” permission, which your role ({ctx.session.role}) does not "
        "have. Ask the workspace owner if you need it."
    )


def _quietly(stop: Any) -> None:
    # Unhooking twice (closed, then destroyed) is harmless.
    with contextlib.suppress(ValueError):
        stop()

"""What can be done to a follow-up item, one small operation each: take, assign, done,
reopen; accept, ask or decline a service request; the Access action that fixes sign-in trouble;
and opening the item's record (the customer in Access, the page in Preview).

Each runs through ``ctx.ops`` (progress, one error place). A clash (someone else took or
finished the item first) shows who did what under the item and shows the item as it now is.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from app import access, follow_ups, team
from app.errors import ApiError
from app.follow_up_text import REQUEST_STATUS_LABELS, TROUBLE_FIX, portal_path
from server.wire.permissions import Permission
from ui.panels.follow_up.detail import FIX_ACTION, record_available
from ui.panels.follow_up.dialogs import (
    AcceptDialog,
    AskDialog,
    AssignDialog,
    DeclineDialog,
    DoneDialog,
    FormDialog,
)
from ui.panels.follow_up.photos import show_photos
from ui.panels.navigate import ACCESS, PREVIEW, open_panel

if TYPE_CHECKING:
    from ui.panels.follow_up import FollowUpPanel

DECIDED = frozenset({"accepted", "declined"})


def _needs(ctx: Any, permission: Permission) -> str:
    return (
        f"Your role ({ctx.session.role}) cannot do this: it needs the '{permission}' "
        "permission. Ask the workspace owner if you need it."
    )


class ItemActions:
    """The Follow-up panel's operations on the item it shows."""

    def __init__(self, panel: FollowUpPanel) -> None:
        self.panel = panel
        self.ctx = panel.ctx
        self.dialog: FormDialog | None = None

    @property
    def item(self) -> dict[str, Any] | None:
        """The item on screen."""
        return self.panel.detail.item

    # -- which buttons apply ---------------------------------------------------------------

    def update_buttons(self, item: Mapping[str, Any]) -> None:
        """Enable what applies to this item and this person; say why for the rest."""
        allow = self.panel.detail.set_allowed
        can = self.ctx.session.can
        me = self.panel.me_id
        is_open = item.get("state") == "open"
        holder = item.get("assignee_id")
        handle = can(Permission.HANDLE_FOLLOW_UP)
        no_handle = _needs(self.ctx, Permission.HANDLE_FOLLOW_UP)
        if not handle:
            for name in ("take", "assign", "done", "reopen", "accept", "ask", "decline"):
                allow(name, False, no_handle)
        else:
            closed = "It is done; reopen it first."
            if holder is not None and holder == me:
                allow("take", False, "You have this already.")
            elif holder is not None:
                allow(
                    "take",
                    False,
                    f"{item.get('assignee_name')} has this. Use Assign… to take it over.",
                )
            else:
                allow("take", is_open, closed)
            allow("assign", is_open, closed)
            allow("done", is_open, "It is done already.")
            allow("reopen", not is_open, "It is open.")
            self._request_buttons(item)
        deleted = item.get("customer_deleted") or item.get("customer_id") is None
        if not can(Permission.VIEW_CUSTOMERS):
            allow("customer", False, _needs(self.ctx, Permission.VIEW_CUSTOMERS))
        else:
            allow("customer", not deleted, "The customer was deleted after this happened.")
        ok, why = record_available(item)
        if not can(Permission.PREVIEW):
            ok, why = False, _needs(self.ctx, Permission.PREVIEW)
        allow("as_seen", ok, why)
        trouble = (item.get("details") or {}).get("trouble")
        fix = TROUBLE_FIX.get(str(trouble))
        if item.get("kind") == "mail_failed":
            can_mail = can(Permission.VIEW_MAIL)
            allow(FIX_ACTION, can_mail, _needs(self.ctx, Permission.VIEW_MAIL))
        elif fix is not None:
            needed = access.PERMISSIONS[fix[0]]
            if not can(needed):
                allow(FIX_ACTION, False, _needs(self.ctx, needed))
            else:
                allow(
                    FIX_ACTION,
                    item.get("contact_id") is not None and not deleted,
                    "The contact is gone, so there is no account to fix.",
                )

    def _request_buttons(self, item: Mapping[str, Any]) -> None:
        allow = self.panel.detail.set_allowed
        status = item.get("request_status")
        why = ""
        if item.get("customer_deleted"):
            why = "The customer was deleted; the request cannot be decided any more."
        elif status in DECIDED:
            why = f"Already decided: {REQUEST_STATUS_LABELS[str(status)].lower()}."
        for name in ("accept", "ask", "decline"):
            allow(name, not why, why)

    # -- running them ----------------------------------------------------------------------

    def run(self, name: str) -> None:
        """A button of the detail pane was pressed."""
        item = self.item
        if item is None:
            return
        me = self.panel.me_id
        summary = str(item.get("title") or "")
        if name == "take":
            self.patch(item, "Taking the item", assignee_id=me)
        elif name == "reopen":
            self.patch(item, "Reopening the item", state="open")
        elif name == "assign":
            self.ctx.ops.run(self._assign(item), label="Finding who can take it")
        elif name == "done":
            dialog: FormDialog = DoneDialog(summary, self.panel)
            self._open(dialog, lambda v: self._patch_from(dialog, item, {"state": "done", **v}))
        elif name in ("accept", "ask", "decline"):
            kinds = {"accept": AcceptDialog, "ask": AskDialog, "decline": DeclineDialog}
            dialog = kinds[name](summary, self.panel)
            self._open(dialog, lambda v: self._decide(dialog, item, name, v))
        elif name == FIX_ACTION and item.get("kind") == "mail_failed":
            self.ctx.ops.run(self._show_in_outbox(item), label="Opening the outbox")
        elif name == FIX_ACTION:
            self.ctx.ops.run(self._fix(item), label="Fixing the sign-in")
        elif name == "customer":
            self.ctx.ops.run(
                self._open_customer(int(item["customer_id"])), label="Opening the customer"
            )
        elif name == "as_seen":
            self._open_as_seen(item)

    async def _assign(self, item: dict[str, Any]) -> None:
        people = self.panel.people()
        if self.ctx.session.can(Permission.MANAGE_TEAM):
            # Whoever may see the team list gets every active member, not only those who
            # hold items already.
            with contextlib.suppress(ApiError):
                members = await team.members(self.ctx.api)
                me = self.panel.me_id
                people = sorted(
                    (
                        (int(m["id"]), f"{m['name']} (me)" if m["id"] == me else str(m["name"]))
                        for m in members
                        if m.get("status", "active") == "active"
                    ),
                    key=lambda p: p[1].casefold(),
                )
        dialog = AssignDialog(people, item.get("assignee_id"), self.panel)
        self._open(dialog, lambda v: self._patch_from(dialog, item, v))

    def _open(self, dialog: FormDialog, submit: Any) -> None:
        self.dialog = dialog
        dialog.submitted.connect(submit)
        dialog.open()

    def patch(self, item: Mapping[str, Any], label: str, **changes: Any) -> asyncio.Task[Any]:
        """Change the item on the server; the answer (or the clash) is shown."""
        return self.ctx.ops.run(self._patch(dict(item), changes, None), label=label)

    def _patch_from(
        self, dialog: FormDialog, item: Mapping[str, Any], values: dict[str, Any]
    ) -> None:
        changes = dict(values)
        holder = item.get("assignee_id")
        if (
            "assignee_id" in changes
            and changes["assignee_id"] == self.panel.me_id
            and holder not in (None, self.panel.me_id)
        ):
            changes["take_over"] = True  # chosen in a dialog: a deliberate take-over
        self.ctx.ops.run(self._patch(dict(item), changes, dialog), label="Saving the item")

    async def _patch(
        self, item: dict[str, Any], changes: dict[str, Any], dialog: FormDialog | None
    ) -> None:
        try:
            fresh = await follow_ups.patch_item(self.ctx.api, item, self.panel.me_id, **changes)
        except follow_ups.FollowUpClash as clash:
            if dialog is not None:
                dialog.reject()
            self.panel.apply_items([clash.current])
            self._say_on(int(item["id"]), clash.message)
            return
        except ApiError as exc:
            if dialog is not None and exc.status == 422:
                dialog.server_refused(exc.message, exc.errors)
                return
            if dialog is not None:
                dialog.reject()
            if exc.status == 404:
                self._say_on(
                    int(item["id"]),
                    "This item is gone from the server; the inbox drops it at the next sync.",
                )
                return
            raise
        if dialog is not None:
            dialog.accept()
        self.panel.apply_items([fresh])
        self._say_on(int(fresh["id"]), _what_changed(fresh, changes, self.panel.me_id), error=False)

    def _decide(
        self, dialog: FormDialog, item: dict[str, Any], name: str, values: dict[str, Any]
    ) -> None:
        request_id = item.get("service_request_id")
        if request_id is None:
            dialog.show_error("This item names no service request to decide.")
            return
        self.ctx.ops.run(self._decide_now(dialog, item, name, values), label="Sending the decision")

    async def _decide_now(
        self, dialog: FormDialog, item: dict[str, Any], name: str, values: dict[str, Any]
    ) -> None:
        request_id = int(item["service_request_id"])
        api = self.ctx.api
        try:
            if name == "accept":
                await follow_ups.accept_request(
                    api,
                    request_id,
                    values["start"],
                    values["end"],
                    values["technician"],
                    values["note"],
                )
            elif name == "ask":
                await follow_ups.ask_request(api, request_id, values["question"])
            else:
                await follow_ups.decline_request(api, request_id, values["reason"])
        except ApiError as exc:
            if exc.status in (409, 404, 410):
                dialog.reject()
                await self._reload(item)
                self._say_on(
                    int(item["id"]), f"{exc.message} The item shows where the request stands now."
                )
                return
            if exc.status == 422 or exc.errors:
                dialog.server_refused(exc.message, exc.errors)
                return
            dialog.reject()
            raise
        dialog.accept()
        await self._reload(item)
        said = {
            "accept": "Accepted: the job is scheduled; the customer sees the time on the portal.",
            "ask": "Question sent: the customer sees it on the portal and by email.",
            "decline": "Declined: the customer sees your reason on the portal and by email.",
        }[name]
        self._say_on(int(item["id"]), said, error=False)

    async def _reload(self, item: Mapping[str, Any]) -> None:
        try:
            fresh = await follow_ups.get_item(self.ctx.api, int(item["id"]))
        except ApiError:
            return  # the next sync brings it
        self.panel.apply_items([fresh])

    async def _fix(self, item: dict[str, Any]) -> None:
        trouble = str((item.get("details") or {}).get("trouble"))
        action, text = TROUBLE_FIX[trouble]
        contact_id = item.get("contact_id")
        if contact_id is None:
            return
        try:
            await access.access_action(self.ctx.api, action, int(contact_id))
        except ApiError as exc:
            if exc.status in (404, 409, 422):
                self._say_on(int(item["id"]), f"{text}: not done. {exc.message}")
                return
            raise
        self._say_on(
            int(item["id"]),
            f"{text}: done for {item.get('contact_name') or 'the contact'}. Mark the item done "
            "when you have told them.",
            error=False,
        )

    async def _show_in_outbox(self, item: Mapping[str, Any]) -> None:
        outbox = self.panel.outbox
        self.panel.tabs.setCurrentWidget(outbox)
        if outbox.status.currentData() != "failed":
            outbox.status.setCurrentIndex(outbox.status.findData("failed"))  # loads again
        await outbox.load()
        wanted = item.get("outbox_id")
        for row, email in enumerate(outbox.emails):
            if email["id"] == wanted:
                outbox.table.selectRow(row)
                return

    async def _open_customer(self, customer_id: int) -> None:
        if self.ctx.cache.get_customer(customer_id) is None:
            self.panel.detail.say(
                "This customer is no longer in the customer list: they were deleted after "
                "this happened. The item keeps what they did."
            )
            return
        page: Any = open_panel(self.panel, ACCESS)
        if page is None:
            return
        loading = getattr(page, "loading", None)
        if loading is not None and not loading.done():
            await asyncio.shield(loading)
        row = page.model.row_of_customer(customer_id)
        if row is None and customer_id in page.model.index_.position:
            # Filtered out by a search or a status chip there: show every customer.
            page.list.search.clear()
            for chip in page.list.chips.values():
                chip.setChecked(False)
            page.model.set_filter("", None)
            row = page.model.row_of_customer(customer_id)
        if row is not None:
            page.list.select_row(row)
        elif customer_id in page.model.index_.position:
            page.show_customer(customer_id)

    def _open_as_seen(self, item: Mapping[str, Any]) -> None:
        path = portal_path(item)
        page: Any = open_panel(self.panel, PREVIEW)
        if page is None or path is None:
            return
        page.show_page_as(
            {
                "customer_id": item["customer_id"],
                "contact_id": item.get("contact_id"),
                "customer_name": item.get("customer_name") or "",
                "portal_path": path,
            }
        )

    def show_photos(self, item: Mapping[str, Any]) -> None:
        """Thumbnails of a service request's photos (read from the server)."""
        show_photos(self.panel, item)

    def _say_on(self, item_id: int, text: str, error: bool = True) -> None:
        if self.panel.shown_id == item_id:
            self.panel.detail.say(text, error)


def _what_changed(item: Mapping[str, Any], changes: Mapping[str, Any], me: int | None) -> str:
    if changes.get("state") == "done":
        return "Marked done. It stays under Done (Show ▸ Done) with your note."
    if changes.get("state") == "open":
        return "Reopened: it is back in the inbox."
    if "assignee_id" in changes:
        if changes["assignee_id"] is None:
            return "Nobody has it now: it is back in the inbox for anyone."
        if changes["assignee_id"] == me:
            return "You have it now."
        return f"Given to {item.get('assignee_name') or 'them'}."
    return "Saved."

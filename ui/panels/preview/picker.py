"""The Preview panel's contact picker: search customers, list a customer's contacts, open
on a contact from Access or on a record from the exposure check. A mixin of ``PreviewPanel``.
"""

from __future__ import annotations

import asyncio
from typing import Any

from app import previews
from app.errors import ApiError
from app.previews import Contact
from ui.context import PanelContext


class ContactPicker:
    """The "Preview as" half of the Preview panel."""

    ctx: PanelContext
    controls: Any
    contact: Contact | None
    _search_timer: Any

    def show_contact(self, contact: Contact, path: str | None = None) -> asyncio.Task[Any]:
        raise NotImplementedError  # the panel's

    def reload(self) -> asyncio.Task[Any]:
        raise NotImplementedError  # the panel's

    def say(self, text: str, retry: bool = False) -> None:
        raise NotImplementedError  # the panel's

    def _set_mode(self, mode: str, reload: bool = True) -> None:
        raise NotImplementedError  # the panel's

    def search(self) -> asyncio.Task[Any]:
        """Find customers matching the search box."""
        return self.ctx.ops.run(
            self._search(self.controls.search.text()), label="Searching", key="preview-search"
        )

    async def _search(self, text: str) -> None:
        found = await previews.search_customers(self.ctx.api, text)
        box = self.controls.customers
        box.clear()
        for ident, label in found:
            box.addItem(label, ident)
        if not found:
            box.addItem("No customer matches that search", None)
        self.controls.contacts.clear()
        if found and text:
            await self._load_contacts(found[0][0])

    def _on_customer(self) -> None:
        ident = self.controls.customers.currentData()
        if ident is not None:
            self.ctx.ops.run(self._load_contacts(int(ident)), label="Loading contacts")

    async def _load_contacts(self, customer_id: int) -> list[Contact]:
        contacts = await previews.contacts_of(self.ctx.api, customer_id)
        box = self.controls.contacts
        box.clear()
        for contact in contacts:
            box.addItem(contact.label, contact)
        if not contacts:
            box.addItem("This customer has no contacts", None)
        return contacts

    async def _refresh_contacts(self, customer_id: int) -> None:
        try:
            await self._load_contacts(customer_id)
        except ApiError:  # the customer went too: the search above still works
            self.controls.contacts.clear()

    def _on_contact(self) -> None:
        contact = self.controls.contacts.currentData()
        if isinstance(contact, Contact):
            self.show_contact(contact)

    def next_contact(self) -> Contact | None:
        """The contact after the one shown, in the picker's list (None: no other)."""
        if self.contact is None:
            return None
        box = self.controls.contacts
        listed = [box.itemData(i) for i in range(box.count())]
        ids = [c.id if isinstance(c, Contact) else None for c in listed]
        if self.contact.id not in ids:
            return None
        after = listed[(ids.index(self.contact.id) + 1) % len(listed)]
        return after if isinstance(after, Contact) and after.id != self.contact.id else None

    def preview_as(self, customer: dict[str, Any], contact_id: int) -> asyncio.Task[Any]:
        """From a customer's detail in Access: that customer and contact in the pickers, and
        the preview of their portal's home page (also for a contact not invited yet)."""
        self._search_timer.stop()
        contacts = previews.contacts_in(customer)
        chosen = next(c for c in contacts if c.id == contact_id)
        c = self.controls
        c.search.setText(str(customer.get("name") or ""))
        c.customers.clear()
        c.customers.addItem(chosen.customer_name, chosen.customer_id)
        c.contacts.clear()
        for contact in contacts:
            c.contacts.addItem(contact.label, contact)
        c.contacts.setCurrentIndex(contacts.index(chosen))
        return self.show_contact(chosen, "/")

    def show_draft_visibility(self, record: dict[str, Any] | None) -> asyncio.Task[Any] | None:
        """From the visibility editor: the draft beside the published policy, on a record's
        page as the record's customer, or as the contact chosen here."""
        self.controls.draft_visibility.blockSignals(True)
        self.controls.draft_visibility.setChecked(True)
        self.controls.draft_visibility.blockSignals(False)
        self._set_mode("side", reload=False)
        if record is None:
            if self.contact is None:
                self.say("Choose a contact above to see the draft as they would.")
                return None
            return self.reload()
        return self.ctx.ops.run(self._as_record(record), label="Opening the preview")

    def show_page_as(self, record: dict[str, Any]) -> asyncio.Task[Any]:
        """The published page ``record["portal_path"]`` as the record's contact saw it (from
        the Follow-up inbox: ``customer_id``, ``contact_id``, ``customer_name``)."""
        self._set_mode("published", reload=False)
        return self.ctx.ops.run(self._as_record(record), label="Opening the preview")

    async def _as_record(self, record: dict[str, Any]) -> None:
        contacts = await self._load_contacts(int(record["customer_id"]))
        chosen = next((c for c in contacts if c.id == record.get("contact_id")), None)
        chosen = chosen or (contacts[0] if contacts else None)
        if chosen is None:
            self.say(f"{record['customer_name']} has no contact to preview as.")
            return
        self.controls.contacts.setCurrentIndex(contacts.index(chosen))
        await self.show_contact(chosen, str(record["portal_path"]))

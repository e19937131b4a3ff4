"""The Preview panel's "Why is this visible?": pick an element in the preview and the panel
says which switch shows it, who shared a file, which record it belongs to, with links to
change each. A mixin of ``PreviewPanel`` (it reads the panel's frames, contact and controls).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QWidget

from app import file_review, preview_inspector, visibility
from app.errors import ApiError
from server.wire.permissions import Permission
from ui.context import PanelContext
from ui.panels.navigate import ACCESS, FILES, VISIBILITY, open_panel


class WhyVisible:
    """The inspector half of the Preview panel."""

    ctx: PanelContext
    frames: dict[str, Any]
    inspector: Any
    contact: Any
    controls: Any

    def say(self, text: str, retry: bool = False) -> None:  # provided by the panel
        raise NotImplementedError

    def as_widget(self) -> QWidget:
        """The panel itself (this mixin is only ever part of one)."""
        assert isinstance(self, QWidget)
        return self

    def _inspect(self, on: bool) -> None:
        for frame in self.frames.values():
            frame.inspecting = on
        self.inspector.setVisible(on)
        if on:
            self.inspector.setText("Click anything in the preview to see why the customer sees it.")

    def _on_picked(self, key: str, found: dict[str, Any]) -> None:
        self.ctx.ops.run(self._explain(key, found), label="Explaining", key="preview-explain")

    async def _explain(self, key: str, found: dict[str, Any]) -> None:
        state = await visibility.load(self.ctx.api)
        draft = key == "draft" and self.controls.draft_visibility.isChecked()
        policy = state.working if draft else state.doc.published
        file = None
        ref = preview_inspector.parse_ref(str(found.get("file") or ""))
        if ref is not None and self.ctx.session.can(Permission.REVIEW_FILES):
            try:
                file = await file_review.one(self.ctx.api, *ref)
            except ApiError:
                file = None
        customer = (self.contact.customer_id, self.contact.customer_name) if self.contact else None
        formats = self.ctx.local_format()
        text = preview_inspector.explain(
            found, policy, draft=draft, file=file, customer=customer, formats=formats
        )
        html = f"<p><b>{_esc(text.heading)}</b></p>"
        html += "".join(f"<p>{_esc(line)}</p>" for line in text.lines)
        html += "".join(
            f'<p><a href="{link.target}">{_esc(link.text)}</a></p>' for link in text.links
        )
        self.inspector.setText(html)

    def _follow(self, target: str) -> None:
        kind, _, rest = target.partition(":")
        if kind == "visibility":
            panel = open_panel(self.as_widget(), VISIBILITY)
            if panel is not None:
                panel.focus_switch(rest)
        elif kind == "files":
            panel = open_panel(self.as_widget(), FILES)
            if panel is not None:
                file_kind, _, ident = rest.partition(":")
                panel.focus_file(file_kind, int(ident))
        elif kind == "customer":
            panel = open_panel(self.as_widget(), ACCESS)
            if panel is not None and hasattr(panel, "show_customer"):
                try:
                    panel.show_customer(int(rest))
                except KeyError:  # the customer list is still loading
                    self.say("The customer list is still loading; try again in a moment.")
        else:
            return
        if panel is None:
            self.say("Your role cannot open that panel. Ask the workspace owner if you need it.")


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

"""Wires a conflict: someone else changed the branding while this draft was being edited."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject

from app import branding
from app.branding import BrandingState
from ui.context import PanelContext
from ui.panels.branding.dialogs import ConflictDialog


class ConflictController(QObject):
    """Shows what changed and offers to re-apply this draft's edits; the panel holds them."""

    def __init__(self, ctx: PanelContext, panel: Any) -> None:
        super().__init__(panel)
        self.ctx, self.panel = ctx, panel
        # While the owner decides on someone else's change, nothing is saved over it.
        self.pending = False

    async def resolve(self) -> None:
        """Someone else changed the branding: show what, and offer to re-apply my edits.

        Until the owner chooses, the old ETag is kept, so no save can overwrite their change;
        closing the dialog without choosing brings it back at the next save.
        """
        panel = self.panel
        panel.stop_saving()
        self.pending = True
        fresh = await branding.load(self.ctx.api)
        theirs = branding.changes(panel.base, fresh.editing)
        mine = branding.changes(panel.base, panel.values)
        dialog = ConflictDialog(theirs, mine, panel)
        mine_values, base = dict(panel.values), dict(panel.base)
        dialog.reapply.connect(lambda: self._reapply(fresh, mine_values, base))
        dialog.use_theirs.connect(lambda: self._use_theirs(fresh))
        dialog.rejected.connect(self._on_conflict_closed)
        panel.dialog = dialog
        panel.status.setText(
            "Someone else changed the branding meanwhile. Choose whether to re-apply your edits."
        )
        dialog.open()

    def _on_conflict_closed(self) -> None:
        self.pending = False

    def _reapply(self, fresh: BrandingState, mine: dict[str, Any], base: dict[str, Any]) -> None:
        panel = self.panel
        self.pending = False
        merged = branding.reapply(mine, base, fresh.editing)
        panel.take(fresh, reset_form=True)
        for name, value in merged.items():
            if name in panel.rows:
                panel.rows[name].set_text(value)
        panel.values = merged
        panel.after_programmatic_edit()
        self.ctx.ops.run(panel.flush_draft, label="Saving the branding draft", key="branding-save")

    def _use_theirs(self, fresh: BrandingState) -> None:
        panel = self.panel
        self.pending = False
        panel.take(fresh, reset_form=True)
        self.ctx.ops.run(
            panel.logo.show_logo(panel.values.get("logo_file_id")), label="Loading the logo"
        )
        panel.previews.refresh()

"""The sidebar's panels, in order. Each later issue adds its panel here with one line."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtWidgets import QWidget

from server.wire.permissions import Permission
from ui.context import PanelContext
from ui.panels.access import AccessPanel
from ui.panels.branding import BrandingPanel
from ui.panels.files import FilesPanel
from ui.panels.files.count import watch_count
from ui.panels.follow_up import FollowUpPanel
from ui.panels.follow_up.watch import watch_follow_ups
from ui.panels.preview import PreviewPanel
from ui.panels.rollout import RolloutPanel
from ui.panels.settings import SettingsPanel
from ui.panels.team import TeamPanel
from ui.panels.visibility import VisibilityPanel


@dataclass(frozen=True)
class PanelSpec:
    """One sidebar entry: key, title, icon name (in ui/assets/icons), and how to build it.

    ``available_when_coming_soon``: still useful while the portal is not live (branding,
    visibility, email clean-up) and listed beside the coming-soon placeholder.
    ``permission``: the one the panel needs at all; without it the entry is disabled with a
    tooltip saying why.
    """

    key: str
    title: str
    icon: str
    factory: Callable[[PanelContext], QWidget]
    available_when_coming_soon: bool = True
    permission: Permission | None = None
    # Started when the workspace opens, before the panel is built (a count in the sidebar).
    on_open: Callable[[PanelContext, QWidget], object] | None = None


# Sidebar order: access, preview, branding, activity, rollout, team (only those that exist).
PANELS: list[PanelSpec] = [
    PanelSpec("access", "Access", "access", AccessPanel, True, Permission.VIEW_CUSTOMERS),
    # What customers see: the policy, the exact preview, and the files awaiting review.
    PanelSpec(
        "visibility", "What customers see", "visibility", VisibilityPanel, True, Permission.PREVIEW
    ),
    PanelSpec("preview", "Preview", "preview", PreviewPanel, True, Permission.PREVIEW),
    PanelSpec(
        "files", "File review", "files", FilesPanel, True, Permission.REVIEW_FILES, watch_count
    ),
    PanelSpec("branding", "Branding", "branding", BrandingPanel, True, Permission.PREVIEW),
    PanelSpec(
        "follow_up",
        "Follow-up",
        "follow-up",
        FollowUpPanel,
        True,
        Permission.VIEW_CUSTOMERS,
        watch_follow_ups,
    ),
    PanelSpec("rollout", "Rollout", "rollout", RolloutPanel, True, Permission.VIEW_CUSTOMERS),
    PanelSpec("team", "Team", "team", TeamPanel, True, Permission.MANAGE_TEAM),
    PanelSpec("settings", "Settings", "settings", SettingsPanel, True, Permission.VIEW_CUSTOMERS),
]

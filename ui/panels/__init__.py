"""The sidebar's panels, in order. Each later issue adds its panel here with one line."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtWidgets import QWidget

from server.wire.permissions import Permission
from ui.context import PanelContext
from ui.panels.access import AccessPanel

# Access is the panel a console opens on; every other panel's module is imported when the
# panel is first built (or its sidebar count first started), so start-up does not pay for
# eight panels' imports (about 0.15 s). The imports sit in functions, where a bundler
# still finds them.


def _visibility(ctx: PanelContext) -> QWidget:
    from ui.panels.visibility import VisibilityPanel

    return VisibilityPanel(ctx)


def _preview(ctx: PanelContext) -> QWidget:
    from ui.panels.preview import PreviewPanel

    return PreviewPanel(ctx)


def _files(ctx: PanelContext) -> QWidget:
    from ui.panels.files import FilesPanel

    return FilesPanel(ctx)


def _files_count(ctx: PanelContext, window: QWidget) -> object:
    from ui.panels.files_count import watch_count

    return watch_count(ctx, window)


def _branding(ctx: PanelContext) -> QWidget:
    from ui.panels.branding import BrandingPanel

    return BrandingPanel(ctx)


def _follow_up(ctx: PanelContext) -> QWidget:
    from ui.panels.follow_up import FollowUpPanel

    return FollowUpPanel(ctx)


def _follow_up_watch(ctx: PanelContext, window: QWidget) -> object:
    from ui.panels.follow_up_watch import watch_follow_ups

    return watch_follow_ups(ctx, window)


def _rollout(ctx: PanelContext) -> QWidget:
    from ui.panels.rollout import RolloutPanel

    return RolloutPanel(ctx)


def _team(ctx: PanelContext) -> QWidget:
    from ui.panels.team import TeamPanel

    return TeamPanel(ctx)


def _settings(ctx: PanelContext) -> QWidget:
    from ui.panels.settings import SettingsPanel

    return SettingsPanel(ctx)


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
        "visibility", "What customers see", "visibility", _visibility, True, Permission.PREVIEW
    ),
    PanelSpec("preview", "Preview", "preview", _preview, True, Permission.PREVIEW),
    PanelSpec("files", "File review", "files", _files, True, Permission.REVIEW_FILES, _files_count),
    PanelSpec("branding", "Branding", "branding", _branding, True, Permission.PREVIEW),
    PanelSpec(
        "follow_up",
        "Follow-up",
        "follow-up",
        _follow_up,
        True,
        Permission.VIEW_CUSTOMERS,
        _follow_up_watch,
    ),
    PanelSpec("rollout", "Rollout", "rollout", _rollout, True, Permission.VIEW_CUSTOMERS),
    PanelSpec("team", "Team", "team", _team, True, Permission.MANAGE_TEAM),
    PanelSpec("settings", "Settings", "settings", _settings, True, Permission.VIEW_CUSTOMERS),
]

"""The sidebar's panels, in order. Each later issue adds its panel here with one line."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtWidgets import QWidget

from ui.context import PanelContext
from ui.panels.access import AccessPanel
from ui.panels.rollout import RolloutPanel
from ui.panels.team import TeamPanel


@dataclass(frozen=True)
class PanelSpec:
    """One sidebar entry: key, title, icon name (in resources/icons), and how to build it.

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
    permission: str | None = None


# Sidebar order: access, preview, branding, activity, rollout, team (only those that exist).
PANELS: list[PanelSpec] = [
    PanelSpec("access", "Access", "access", AccessPanel, True, "view_customers"),
    PanelSpec("rollout", "Rollout", "rollout", RolloutPanel, True, "view_customers"),
    PanelSpec("team", "Team", "team", TeamPanel, True, "manage_team"),
]

"""Console UI tests: offscreen Qt, async tests on a qasync loop, a live server, a keyring."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")

import PySide6.QtWidgets as QtW

os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--disable-gpu")

from tests.support.console_fixtures import (  # noqa: F401  (fixtures)
    coming_soon_ws,
    console_home,
    live,
    memory_keyring,
    ws,
)
from tests.ui.episode_loop import EpisodeLoop
from ui.console_app import prepare_web_engine

# As the console does: QtWebEngine is prepared before the one QApplication is created.
prepare_web_engine()


def pytest_asyncio_loop_factories(config, item):
    """Async tests here run on a qasync loop, as the console does."""

    def factory():
        app = QtW.QApplication.instance() or QtW.QApplication([])
        return EpisodeLoop(app)

    return {"qasync": factory}

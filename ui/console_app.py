"""The console application: Qt, the qasync loop, the window and the controller.

Imported by ``ui.main`` once it is clear that the console itself runs (not a helper process).
QtWebEngine is prepared here, before the application object exists, as Qt requires: its
OpenGL-sharing attribute set and its module imported. It starts (a browser process, tens of
megabytes) only when a panel first creates a web view.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys

# PySide6 before qasync, so qasync binds to it and not to another Qt binding.
from PySide6.QtCore import QCoreApplication, QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication

import qasync  # isort: skip

from app import log_files, paths
from app.api_client import make_http_client
from app.config import Config
from app.version import console_version
from ui import self_test
from ui.console import Console
from ui.main_window import MainWindow
from ui.resources import icon

log = logging.getLogger(__name__)


def parse_args(argv: list[str]) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(
        prog="portal-console",
        description="Toolbag Portal office console. With no server, opens the local workspace.",
    )
    parser.add_argument("--server", help="portal server address, e.g. https://portal.example.com")
    parser.add_argument("--version", action="version", version=version_line())
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="start, wait for the customer list, open every panel, quit; exit 0 if all worked",
    )
    return parser.parse_args(argv)


def version_line() -> str:
    """What ``--version`` prints: the console's version and the Qt it runs on."""
    import PySide6
    from PySide6.QtCore import qVersion

    return f"portal-console {console_version()} (Qt {qVersion()}, PySide6 {PySide6.__version__})"


def window_settings() -> QSettings:
    """Window geometry and table layouts, in the console's config folder."""
    return QSettings(str(paths.config_dir() / "window.ini"), QSettings.Format.IniFormat)


async def run(app: QApplication, args: argparse.Namespace) -> int:
    """Open the window, start the console, and wait until the window is closed."""
    config = Config()
    closed = asyncio.Event()
    async with make_http_client(config.request_timeout) as http:
        window = MainWindow(window_settings())
        console = Console(window, http, config, window.qsettings)
        window.closed.connect(closed.set)
        window.show()
        _close_on_interrupt(window)
        start = console.ops.run(console.start(args.server), label="Starting")
        status = 0
        if args.self_test:
            status = await self_test.run(window, console.ops, start)
        await closed.wait()
        start.cancel()
        stuck = await console.shutdown()
    if args.self_test and stuck:
        print(f"self-test: work that did not end on quitting: {', '.join(stuck)}", flush=True)
        status = 1
    return status


def _close_on_interrupt(window: MainWindow) -> None:
    """Ctrl+C in a terminal closes the window the normal way (and so stops the local server)."""
    signal.signal(signal.SIGINT, lambda *_: window.close())
    signal.signal(signal.SIGTERM, lambda *_: window.close())
    # Python runs signal handlers only between bytecodes; a tick lets it while Qt waits.
    timer = QTimer(window)
    timer.timeout.connect(lambda: None)
    timer.start(250)


def prepare_web_engine() -> bool:
    """Make QtWebEngine usable later: both steps must come before the QApplication exists.

    Returns whether it is available; without it the console runs and the preview says why.
    """
    QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
    try:
        import PySide6.QtWebEngineWidgets  # noqa: F401  (registers itself; starts nothing)
    except ImportError as exc:
        log.warning("QtWebEngine is not available: %s", exc)
        return False
    return True


def main(argv: list[str]) -> int:
    """Run the console (``ui.main`` has already handled helper processes)."""
    args = parse_args(argv)
    config = Config()
    log_files.configure(config.log_level)
    if QApplication.instance() is None:
        prepare_web_engine()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Toolbag Portal")
    app.setOrganizationName("ToolbagCRM")
    app.setWindowIcon(icon("app"))
    # We end the loop ourselves after cleanup; Qt must not quit when the window closes.
    app.setQuitOnLastWindowClosed(False)
    log.info("console starting")
    return asyncio.run(run(app, args), loop_factory=qasync.QEventLoop)

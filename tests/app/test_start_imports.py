"""What the console's start does not import: each module costs start-up time for nothing."""

import os
import subprocess
import sys

import httpx


def _imported(code: str, *names: str) -> dict[str, bool]:
    probe = f"import sys\n{code}\nprint(' '.join(str(n in sys.modules) for n in {names!r}))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return dict(zip(names, (w == "True" for w in out.stdout.split()), strict=True))


def test_the_console_skips_httpx_s_command_line_client():
    # click is installed (uvicorn needs it), so httpx would import its CLI with rich and
    # pygments; the console never runs it.
    found = _imported("import app.api_client, httpx", "httpx", "click", "rich", "pygments")
    assert found == {"httpx": True, "click": False, "rich": False, "pygments": False}


def test_httpx_still_answers_without_its_command_line_client():
    code = "import app, httpx\nprint(callable(httpx.main), httpx.Client is not None)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "True"]
    assert httpx.Client  # this process imported httpx whole: the probe above is the console's


def test_keyring_is_imported_when_a_token_is_first_needed():
    code = "import ui.console, app.credentials"
    assert _imported(code, "app.credentials", "keyring") == {
        "app.credentials": True,
        "keyring": False,
    }
    used = "import app.credentials as c\nc.CredentialStore().load('http://x', 'a@b.c')"
    assert _imported(used, "keyring")["keyring"] is True


def test_the_core_is_imported_before_qt():
    # Every Qt-free module the console's start needs comes in with ui.main.load_core, so none
    # is imported after PySide6 (which reads the source of each one imported after it).
    probe = (
        "import sys\n"
        "from ui.main import load_core\n"
        "load_core()\n"
        "before = set(sys.modules)\n"
        "import ui.console_app, ui.console, ui.main_window\n"
        "roots = ('app', 'server', 'pydantic', 'pydantic_core', 'httpx', 'httpcore', 'babel')\n"
        "late = sorted(m for m in set(sys.modules) - before if m.split('.')[0] in roots)\n"
        "print(','.join(late) or 'none')\n"
        "print('PySide6' in before)\n"
        "print('pydantic' in sys.modules)\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QT_API": "pyside6"}
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, env=env
    )
    # The wire's pydantic models come when a panel needs them, not at start.
    assert out.stdout.split() == ["none", "False", "False"]


def test_the_first_request_imports_nothing_more_on_the_ui_thread():
    # httpcore's pool would import anyio's asyncio backend at the first request, while the
    # cached rows are being listed; the core brings it along instead.
    assert _imported("import app.api_client", "anyio._backends._asyncio") == {
        "anyio._backends._asyncio": True
    }

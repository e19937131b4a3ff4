"""A bounded schemathesis run over the staff and records API, on each database.

Schemathesis reads the live server's own OpenAPI document and sends generated requests, valid
and invalid, to every operation under /api/v1, signed in with a real owner token of a
workspace of its own. The run must find no server error (5xx), no answer whose body breaks
the documented schema, no undocumented status or content type, and no undeclared method
answered with anything but 405 and an honest ``Allow`` header.

The seed is fixed and the output names each failing request as a curl command. The budget
(``API_FUZZ_SECONDS``, 90 by default) is spent whole: fuzzing repeats until it runs out, so a
run takes that long on each database whatever the machine, and covers more on a faster one.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.server.conftest import Server
from tests.support.workspaces import make_workspace

CHECKS = ",".join(
    (
        "not_a_server_error",
        "response_schema_conformance",
        "status_code_conformance",
        "content_type_conformance",
        "unsupported_method",
    )
)
EXAMPLES_PER_OPERATION = os.environ.get("API_FUZZ_EXAMPLES", "25")
MAX_SECONDS = os.environ.get("API_FUZZ_SECONDS", "90")


def test_schemathesis_finds_nothing(server: Server, tmp_path: Path) -> None:
    ws = make_workspace(server.sessionmaker, server.url)
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "run",
        f"{server.url}/openapi.json",
        "--header",
        f"Authorization: Bearer {ws.tokens['owner']}",
        "--include-path-regex",
        "^/api/v1/",
        # Signing out would end the token the rest of the run signs in with.
        "--exclude-operation-id",
        "revoke_token_api_v1_auth_token_delete",
        "--checks",
        CHECKS,
        "--phases",
        "examples,coverage,fuzzing",
        "--max-examples",
        EXAMPLES_PER_OPERATION,
        "--max-time",
        MAX_SECONDS,
        "--seed",
        "20261206",
        "--no-shrink",
        "--generation-database",
        "none",
        "--workers",
        "2",
        "--request-timeout",
        "30",
        "--no-color",
        "--output-truncate",
        "false",
    ]
    # Run in a folder of its own: schemathesis keeps a cache of what it found in the cwd.
    run = subprocess.run(
        command, capture_output=True, text=True, timeout=600, check=False, cwd=tmp_path
    )
    out = run.stdout + run.stderr
    assert run.returncode == 0, f"schemathesis on {server.backend}:\n{out[-20000:]}"
    counted = re.search(r"(\d+) generated, (\d+) passed", out)
    assert counted and counted[1] == counted[2] and int(counted[1]) > 0, out[-3000:]

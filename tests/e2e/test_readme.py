"""The README as a promise: every shell command in it runs as written against `make serve
END_DATE=2025-06-30` (the warehouse its figures were taken on), and every figure it shows is what
comes back. `make test` itself is the command running this test, so it is the one not re-run."""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import free_port, wait_until_healthy

ROOT = Path(__file__).parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCK = re.compile(r"```sh\n(.*?)```(?:\n```json\n(.*?)```)?", re.S)


def commands() -> list[tuple[str, list[str], str | None]]:
    """(command, the comment lines after it, the JSON block after its shell block) in README order;
    a command runs over lines until its quotes close."""
    found: list[tuple[str, list[str], str | None]] = []
    for block, shown in BLOCK.findall(README):
        pending = ""
        for line in block.splitlines():
            if line.startswith("#") and found and not pending:
                found[-1][1].append(line.lstrip("# ").strip())
                continue
            pending += line + "\n"
            try:
                shlex.split(pending, comments=True)
            except ValueError:
                continue  # a quote still open
            if not line.endswith("\\") and pending.strip():
                found.append((pending.strip(), [], None))
                pending = ""
        if shown and found:
            found[-1] = (found[-1][0], found[-1][1], shown)
    return found


def name(command: str) -> str:
    return " ".join(shlex.split(command, comments=True))


COMMANDS = commands()


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """`make serve` as the README says, on a fresh warehouse and a free port."""
    home = tmp_path_factory.mktemp("readme")
    port = free_port()
    env = {**os.environ, "END_DATE": "2025-06-30", "PORT": str(port), "DB": str(home / "demo-2025-06-30.duckdb"),
           "CHATBI_STATE_PATH": str(home / "state.sqlite"), "CHATBI_ACCESS_PATH": str(home / "access.yaml"),
           "PATH": f"{ROOT / '.venv' / 'bin'}:{os.environ['PATH']}"}
    log = open(home / "serve.log", "wb")
    process = subprocess.Popen(["make", "serve"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(process, base, home / "serve.log", 180)  # setup and the warehouse come first
    except RuntimeError:
        os.killpg(process.pid, signal.SIGTERM)
        raise
    yield env, port, home
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=20)


def run(command: str, env: dict, port: int, home: Path) -> subprocess.CompletedProcess:
    """A README command on this server and warehouse; the example key prefix is the one just created."""
    command = command.replace("localhost:8000", f"127.0.0.1:{port}")
    if "cbk_AbCdEf" in command and (home / "key").exists():
        command = command.replace("cbk_AbCdEf", (home / "key").read_text()[:10])
    command = command.replace("data/demo-2025-06-30.duckdb", env["DB"])
    if command.startswith("curl "):
        command += " -w '\\n%{http_code}'"
    return subprocess.run(["bash", "-c", command], cwd=home, env=env, capture_output=True, text=True, timeout=120)


def close(expected, actual) -> bool:
    """Rows as the README prints them: floats to the digits shown, a trailing '...' for more rows."""
    if isinstance(expected, list):
        return isinstance(actual, list) and len(expected) <= len(actual) and all(
            close(e, a) for e, a in zip(expected, actual))
    if isinstance(expected, float):
        digits = len(repr(expected).split(".")[1])
        return isinstance(actual, (int, float)) and round(actual, digits) == pytest.approx(expected, abs=10 ** -digits)
    return expected == actual


def shown_rows(text: str):
    """The rows a comment or a JSON block shows, '...' meaning more follow."""
    match = re.search(r"(\[\[.*\]\])", text.replace(", ...]", "]"), re.S)
    return json.loads(match.group(1)) if match else None


def test_the_readme_has_commands_to_run():
    names = [name(c) for c, _, _ in COMMANDS]
    assert names[:2] == ["make serve", "make test"] and sum(c.startswith("curl") for c in names) >= 8
    assert any(c.startswith("chatbi roles add") for c in names)


RUNNABLE = [c for c in COMMANDS if name(c[0]) != "make test"]


@pytest.mark.parametrize("command, comments, shown", RUNNABLE, ids=[name(c[0])[:60] for c in RUNNABLE])
def test_every_command_works_as_written(served, command, comments, shown):
    env, port, home = served
    if name(command) == "make serve":
        assert httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=10).status_code == 200
        return
    result = run(command, env, port, home)
    assert result.returncode == 0, result.stderr
    if name(command).startswith("chatbi keys create"):
        (home / "key").write_text(result.stdout.split()[0])
    if not command.startswith("curl "):
        assert "error" not in result.stdout.lower() and "traceback" not in result.stderr.lower(), result
        return
    body, status = result.stdout.rsplit("\n", 1)
    answer = json.loads(body)
    refusal = next((c for c in comments if re.match(r"^\d{3} \{", c)), None)
    if refusal:
        code, expected = refusal.split(" ", 1)
        assert int(status) == int(code) and answer == json.loads(expected)
        return
    expected_error = json.loads(shown) if shown and '"status":"error"' in shown.replace(" ", "") else None
    if expected_error:
        assert answer == expected_error
        return
    assert status == "200", body
    expected = [shown_rows(c) for c in comments if c.startswith("rows:")] + ([shown_rows(shown)] if shown else [])
    for rows in filter(None, expected):
        assert close(rows, answer["rows"]), (rows, answer["rows"])
    if shown and '"interpretation"' in shown:
        text = re.search(r'"text": "([^"]+)"', shown).group(1)
        assert answer["interpretation"]["text"] == text and answer["answer"] == re.search(
            r'"answer": "([^"]+)"', shown).group(1)

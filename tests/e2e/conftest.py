"""A real service: `chatbi serve` in a subprocess on a free loopback port, over the session's
demo warehouse."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import httpx
import pytest

from service.context import build_context
from tests.conftest import SHARED
from service.settings import Settings
from tests.e2e.openai_standin import ScriptedProvider
from tests.e2e.wecom_standin import WeComStandIn


METRICFLOW = SHARED / "external" / "metricflow_simple_manifest"


@pytest.fixture(scope="session")
def metricflow(tmp_path_factory) -> Path:
    """MetricFlow's simple_manifest tables, loaded by its own script into the default schema."""
    path = tmp_path_factory.mktemp("metricflow") / "mf.duckdb"
    script = (METRICFLOW / "duckdb" / "load_duckdb.sql").read_text()
    script = script.replace("mf_source.", "main.").replace("'data/csv/", f"'{METRICFLOW}/data/csv/")
    with duckdb.connect(str(path)) as connection:
        connection.execute(script)
    return path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_service(warehouse_path, state_path, workers: int = 1, **env: str):
    """`chatbi serve --workers N` in a subprocess on a free port; its log goes to a file beside the
    state."""
    port = free_port()
    log_path = Path(state_path).with_suffix(f".{port}.log")
    log = open(log_path, "wb")  # a pipe nobody reads would block the server once it fills
    process = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "serve", "--db", str(warehouse_path), "--port", str(port),
         "--workers", str(workers)],
        stdout=log, stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "CHATBI_STATE_PATH": str(state_path), **env})
    log.close()
    base = f"http://127.0.0.1:{port}"
    wait_until_healthy(process, base, log_path, 60)
    return process, base


def wait_until_healthy(process: subprocess.Popen, base: str, log_path: Path, seconds: float) -> None:
    """Until /healthz answers; a process that exits or a deadline passed raises with its log."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(log_path.read_text(errors="replace"))
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"the service did not start in {seconds:g} s: {log_path.read_text(errors='replace')}")


@pytest.fixture(scope="session")
def server(warehouse_path, tmp_path_factory):
    # the rate limit has servers of its own (test_limits, test_security); this one serves every other test
    process, base = start_service(warehouse_path, tmp_path_factory.mktemp("state") / "chatbi.sqlite",
                                  CHATBI_RATE_LIMIT_PER_MIN="1000")
    yield base
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="session")
def provider():
    standin = ScriptedProvider().start()
    yield standin
    standin.stop()


@pytest.fixture(scope="session")
def llm_server(warehouse_path, tmp_path_factory, provider):
    process, base = start_service(warehouse_path, tmp_path_factory.mktemp("llm-state") / "chatbi.sqlite",
                                  CHATBI_LLM_BASE_URL=provider.base_url, CHATBI_LLM_MODEL="standin",
                                  CHATBI_LLM_API_KEY="test-key", CHATBI_LLM_TIMEOUT_S="2")
    yield base
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture()
def llm_client(llm_server):
    with httpx.Client(base_url=llm_server, timeout=30) as http:
        yield http


@pytest.fixture()
def client(server):
    with httpx.Client(base_url=server, timeout=30) as http:
        yield http


@pytest.fixture(scope="session")
def standin():
    server = WeComStandIn().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def context(warehouse_path, tmp_path_factory):
    """The service's parts in process (no HTTP), on the session's demo warehouse."""
    built = build_context(Settings(db_path=warehouse_path,
                                   state_path=tmp_path_factory.mktemp("context") / "chatbi.sqlite"))
    yield built
    built.close()

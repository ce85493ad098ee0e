"""The same small demo warehouse in DuckDB, PostgreSQL (a real server started for the session)
and chdb, each served by the whole service as it runs (model fitted on it, parser, asker)."""

from __future__ import annotations

import shutil

import pytest

from service.context import build_context
from service.demo_data.load import copy_demo_tables
from service.settings import Settings
from service.warehouse_url import parse_warehouse_url
from tests.postgres_server import TemporaryPostgres

OTHER_ENGINES = ("postgresql", "chdb")


@pytest.fixture(scope="session")
def postgres():
    server = TemporaryPostgres().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def engine_urls(warehouse_path, postgres, tmp_path_factory) -> dict[str, str]:
    """Where each engine's copy of the session's demo warehouse is (PostgreSQL's for the read-only role)."""
    folder = tmp_path_factory.mktemp("engines")
    urls = {"duckdb": str(warehouse_path), "postgresql": postgres.url("chatbi_reader"),
            "chdb": f"chdb://{folder / 'chdb'}"}
    source = folder / "demo.duckdb"  # a copy: this process may hold the file open with other settings
    shutil.copy(warehouse_path, source)
    copy_demo_tables(source, parse_warehouse_url(postgres.url()), folder)
    copy_demo_tables(source, parse_warehouse_url(urls["chdb"]), folder)
    return urls


@pytest.fixture(scope="session")
def contexts(engine_urls, tmp_path_factory):
    """The service's parts on each engine."""
    built = {name: build_context(Settings(db_path=url, state_path=tmp_path_factory.mktemp(name) / "chatbi.sqlite"))
             for name, url in engine_urls.items()}
    yield built
    for context in built.values():
        context.close()

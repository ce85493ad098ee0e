"""Shared fixtures: one small real demo warehouse per test session, the model validated against
it, and the query engine over it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from semantic_layer.loader import load_model
from service.answers import QueryEngine
from service.demo_data.build import build_demo_warehouse
from service.predicted_tags import with_predictions
from service.warehouse import Warehouse

END_DATE = dt.date(2025, 6, 30)
TODAY = dt.date(2025, 7, 1)
SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite golden SQL fixtures")


@pytest.fixture(scope="session")
def warehouse_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("warehouse") / "demo.duckdb"
    build_demo_warehouse(path, END_DATE, seed=7, scale=0.15)
    return path


@pytest.fixture(scope="session")
def warehouse(warehouse_path: Path) -> Warehouse:
    opened = Warehouse(warehouse_path)
    yield opened
    opened.close()


@pytest.fixture(scope="session")
def model(warehouse: Warehouse):
    """The shipped model as the service runs it: its predicted tags fitted on this warehouse."""
    def fetch(sql: str):
        result = warehouse.run(sql, 1_000_000, 120)
        return [name for name, _ in result.columns], result.rows
    fitted, _ = with_predictions(load_model(schema=warehouse.schema()), fetch, TODAY)
    return fitted


@pytest.fixture(scope="session")
def engine(model, warehouse: Warehouse) -> QueryEngine:
    return QueryEngine(model, warehouse, row_cap=10_000, timeout_s=30)


@pytest.fixture(scope="session")
def reference(warehouse_path: Path):
    """A second read-only connection that runs the hand-written reference SQL."""
    connection = duckdb.connect(str(warehouse_path), read_only=True, config={"enable_external_access": False})
    yield connection
    connection.close()

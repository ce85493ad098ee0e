"""`make bench`, second part: five query shapes on the scale-20 demo warehouse in DuckDB, chdb and
PostgreSQL side by side. Each shape is a SemanticQuery answered by the service's QueryEngine
(plan, guard, render, run, format) with the answer cache off, so every timed run reaches the
engine: one warm-up, then ``--runs`` timed runs, median and p95 in ms. The three engines must give
the same rows (numbers to 6 significant digits) or the bench fails. The DuckDB file and the chdb
directory stay in data/ for the next run; PostgreSQL is a throwaway server loaded each time."""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from semantic_layer.loader import load_model
from semantic_layer.query import SemanticQuery
from service.answers import QueryEngine
from service.context import build_warehouse
from service.demo_data.load import copy_demo_tables, load_demo_warehouse
from service.settings import Settings
from service.warehouse_url import parse_warehouse_url
from tests.bench.figures import ARTIFACT, merge_artifact, percentile
from tests.engines.test_same_answers import same
from tests.postgres_server import TemporaryPostgres

ROOT = Path(__file__).resolve().parents[2]
SCALE = 20
END_DATE = dt.date(2025, 6, 30)  # the day the data ends and the questions are asked
DUCKDB_FILE = ROOT / "data" / f"bench-{SCALE}.duckdb"
CHDB_FOLDER = ROOT / "data" / f"bench-{SCALE}.chdb"
THIS_YEAR = {"start": "2025-01-01", "end": "2025-07-01"}
SHAPES = {
    "total over a period (GMV, 2025 H1)": SemanticQuery(metrics=["gmv"], time_range=THIS_YEAR),
    "by a joined dimension (GMV by channel)": SemanticQuery(metrics=["gmv"], dimensions=["channel"],
                                                            time_range=THIS_YEAR),
    "monthly trend (orders, last 12 months)": SemanticQuery(
        metrics=["order_count"], dimensions=[{"name": "date", "grain": "month"}],
        time_range={"start": "2024-07-01", "end": "2025-07-01"}),
    "top 10 by a line metric (product sales)": SemanticQuery(
        metrics=["product_sales"], dimensions=["product"], time_range=THIS_YEAR,
        order_by=[{"field": "product_sales", "direction": "desc"}], limit=10),
    "distinct buyers (repurchase rate by segment)": SemanticQuery(metrics=["buyer_count", "repurchase_rate"],
                                                                  dimensions=["segment"]),
}
ENGINES = ("duckdb", "chdb", "postgresql")


@contextmanager
def timed(label: str) -> Iterator[None]:
    """Print how long a step took."""
    started = time.perf_counter()
    yield
    print(f"{label}: {time.perf_counter() - started:.0f} s", flush=True)


def prepare_duckdb() -> None:
    """The scale-20 DuckDB file, built by the demo-data path unless it is there."""
    if not DUCKDB_FILE.exists():
        with timed(f"built {DUCKDB_FILE.relative_to(ROOT)} (scale {SCALE})"):
            load_demo_warehouse(DUCKDB_FILE, END_DATE, scale=SCALE)


def prepare_chdb() -> None:
    """The chdb copy of the DuckDB file, loaded aside and renamed when complete."""
    if CHDB_FOLDER.exists():
        return
    partial = CHDB_FOLDER.with_name(CHDB_FOLDER.name + ".building")
    with timed(f"loaded {CHDB_FOLDER.relative_to(ROOT)}"), tempfile.TemporaryDirectory(prefix="chatbi-bench-") as tmp:
        copy_demo_tables(DUCKDB_FILE, parse_warehouse_url(f"chdb://{partial}"), Path(tmp))
    partial.rename(CHDB_FOLDER)


def prepare_postgres(server: TemporaryPostgres) -> str:
    """Load the DuckDB file's tables into the throwaway server; the read-only role's URL."""
    with timed("loaded PostgreSQL"), tempfile.TemporaryDirectory(prefix="chatbi-bench-") as tmp:
        copy_demo_tables(DUCKDB_FILE, parse_warehouse_url(server.url()), Path(tmp))
    return server.url("chatbi_reader")


def time_shapes(url: str, runs: int) -> tuple[dict[str, list[float]], dict[str, list[tuple]]]:
    """Each shape answered once to warm up, then ``runs`` times timed: the times in ms and the rows."""
    settings = Settings(db_path=url, cache_entries=0, query_timeout_s=300)
    warehouse = build_warehouse(settings)
    try:
        engine = QueryEngine(load_model(settings.model_path, schema=warehouse.schema()), warehouse,
                             settings.row_cap, settings.query_timeout_s)
        times, rows = {}, {}
        for name, query in SHAPES.items():
            rows[name] = same(engine.answer_query(query, END_DATE).rows)
            times[name] = []
            for _ in range(runs):
                executed = warehouse.stats["queries"]
                started = time.perf_counter()
                engine.answer_query(query, END_DATE)
                times[name].append((time.perf_counter() - started) * 1000)
                assert warehouse.stats["queries"] > executed and warehouse.stats["cache_hits"] == 0, "cache answered"
        return times, rows
    finally:
        warehouse.close()


def check_same_rows(rows: dict[str, dict[str, list[tuple]]]) -> None:
    """Every engine's rows equal DuckDB's for every shape, or the bench fails with the first difference."""
    differ = [(shape, engine, rows[engine][shape][:3], rows["duckdb"][shape][:3])
              for engine in ENGINES for shape in SHAPES if rows[engine][shape] != rows["duckdb"][shape]]
    if differ:
        raise SystemExit("engines disagree (shape, engine, theirs, DuckDB's):\n" +
                         "\n".join(map(repr, differ)))


def summary(times: dict[str, dict[str, list[float]]]) -> dict[str, dict[str, dict[str, float]]]:
    return {shape: {engine: {"median_ms": round(statistics.median(times[engine][shape]), 1),
                             "p95_ms": round(percentile(times[engine][shape], 0.95), 1)} for engine in ENGINES}
            for shape in SHAPES}


def print_table(figures: dict[str, dict[str, dict[str, float]]], runs: int) -> None:
    print(f"\nscale {SCALE}, {runs} runs after a warm-up, median / p95 ms")
    print("| shape | " + " | ".join(ENGINES) + " |")
    print("|---|" + "---:|" * len(ENGINES))
    for shape, by_engine in figures.items():
        cells = [f"{f['median_ms']:.1f} / {f['p95_ms']:.1f}" for f in by_engine.values()]
        print(f"| {shape} | " + " | ".join(cells) + " |")


def main() -> None:
    arguments = argparse.ArgumentParser(description=__doc__.partition("\n\n")[0])
    arguments.add_argument("--runs", type=int, default=10, help="timed runs per engine and shape")
    arguments.add_argument("--out", type=Path, default=ARTIFACT)
    args = arguments.parse_args()
    prepare_duckdb()
    prepare_chdb()
    server = TemporaryPostgres().start()
    try:
        urls = {"duckdb": str(DUCKDB_FILE), "chdb": f"chdb://{CHDB_FOLDER}", "postgresql": prepare_postgres(server)}
        measured = {}
        for engine in ENGINES:
            with timed(f"timed {engine}"):
                measured[engine] = time_shapes(urls[engine], args.runs)
    finally:
        server.stop()
    check_same_rows({engine: rows for engine, (_, rows) in measured.items()})
    figures = summary({engine: times for engine, (times, _) in measured.items()})
    print_table(figures, args.runs)
    merge_artifact(f"engines_scale_{SCALE}", {"runs": args.runs, "shapes": figures}, args.out)


if __name__ == "__main__":
    main()

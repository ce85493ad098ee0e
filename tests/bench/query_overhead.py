"""`make bench`, third part: what the service adds over DuckDB, and how the cost grows with the
warehouse. For each query shape of ``engine_latency`` and each scale whose file is there (1, 5, 20,
100: data/bench.duckdb, data/bench-S.duckdb), /api/v1/query over HTTP (one worker, the answer cache
off so every run reaches DuckDB; plans are reused, as the service does all day) against the same compiled SQL run by DuckDB
in this process (read-only, the service's threads and memory limit): medians of ``--runs`` runs
after one warm-up each, their ratio (the overhead), and each scale's median over scale 1's (the
growth factor of the cost curve)."""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import duckdb
import httpx

from service.settings import Settings
from tests.bench.engine_latency import END_DATE, SHAPES
from tests.bench.figures import ROOT, merge_artifact, print_table
from tests.e2e.conftest import start_service

SCALES = {1: ROOT / "data" / "bench.duckdb", 5: ROOT / "data" / "bench-5.duckdb",
          20: ROOT / "data" / "bench-20.duckdb", 100: ROOT / "data" / "bench-100.duckdb"}
ANSWER_CACHE_OFF = {"CHATBI_CACHE_ENTRIES": "0", "CHATBI_RATE_LIMIT_PER_MIN": "0", "CHATBI_QUERY_TIMEOUT_S": "300"}


def median_ms(run, runs: int) -> float:
    run()  # the warm-up
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 2)


def time_scale(path: Path, state: Path, runs: int) -> dict[str, dict[str, float]]:
    settings = Settings()
    process, base = start_service(path, state, **ANSWER_CACHE_OFF)
    raw = duckdb.connect(str(path), read_only=True, config={"threads": settings.query_threads,
                                                             "memory_limit": f"{settings.query_memory_mb}MB"})
    figures = {}
    try:
        with httpx.Client(base_url=base, timeout=600) as http:
            for name, query in SHAPES.items():
                body = {**query.model_dump(mode="json", exclude_defaults=True), "today": END_DATE.isoformat()}

                def ask() -> None:
                    response = http.post("/api/v1/query", json=body)
                    response.raise_for_status()

                sql = http.post("/api/v1/query", json=body).json()["sql"]
                service_ms = median_ms(ask, runs)
                duckdb_ms = median_ms(lambda: raw.execute(sql).fetchall(), runs)
                figures[name] = {"service_ms": service_ms, "duckdb_ms": duckdb_ms,
                                 "overhead": round(service_ms / duckdb_ms, 2)}
    finally:
        raw.close()
        process.terminate()
        process.wait(timeout=10)
    return figures


def main() -> None:
    arguments = argparse.ArgumentParser(description=__doc__.partition("\n\n")[0])
    arguments.add_argument("--runs", type=int, default=10, help="timed runs per shape and scale")
    args = arguments.parse_args()
    scales = {scale: path for scale, path in SCALES.items() if path.exists()}
    measured = {scale: time_scale(path, path.with_suffix(".bench-state.sqlite"), args.runs)
                for scale, path in scales.items()}
    for scale, figures in measured.items():
        for name, f in figures.items():
            f["growth"] = round(f["service_ms"] / measured[1][name]["service_ms"], 2) if 1 in measured else None
    print_table(f"/api/v1/query over raw DuckDB (same SQL), median of {args.runs} runs, ms; growth: over scale 1",
                ["shape", *[f"scale {s}: service / DuckDB = overhead (growth)" for s in measured]],
                [[name, *[f"{m[name]['service_ms']:.1f} / {m[name]['duckdb_ms']:.1f} = {m[name]['overhead']:.2f}x "
                          f"({m[name]['growth']}x)" for m in measured.values()]] for name in SHAPES])
    skipped = [s for s in SCALES if s not in scales]
    merge_artifact("query_overhead", {"runs": args.runs, "scales": {str(s): m for s, m in measured.items()},
                                      "skipped_scales": skipped})
    if skipped:
        print(f"skipped scales (no file): {', '.join(map(str, skipped))}")


if __name__ == "__main__":
    main()

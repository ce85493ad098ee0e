"""`make bench`, first part, at scale 1: the parser's time from question to SemanticQuery over every
frozen question set (dev, own, unseen*, holdout), and the whole /api/v1/ask over the shared dev set,
p50 and p95: in process and over HTTP (one worker), cold (plan and answer caches off, so every
question is compiled and reaches DuckDB) and warm (both caches on, after one round that fills them)."""

from __future__ import annotations

import datetime as dt
import json
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.bench.figures import merge_artifact, print_table, spread  # noqa: E402

DEV = ROOT.parent / "shared" / "eval" / "dev.jsonl"
ROUNDS = 5
CACHES_OFF = {"cache_entries": 0, "plan_cache_entries": 0}


def parse_times(db: str, state: Path) -> list[float]:
    from semantic_layer.parser.compose import to_query
    from service.context import build_context
    from service.settings import Settings

    questions = [json.loads(line) for path in [DEV, *sorted((ROOT / "tests" / "eval").glob("*.jsonl"))]
                 for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    context = build_context(Settings(db_path=db, state_path=state))
    parser = context.asker.parser
    times = []
    for _ in range(3):
        for item in questions:
            started = time.perf_counter()
            outcome = parser.parse(item["question"], dt.date.fromisoformat(item["today"]))
            if outcome.parts.metrics:
                to_query(outcome.parts, parser.model)
            times.append((time.perf_counter() - started) * 1000)
    context.close()
    return times


def in_process_times(db: str, state: Path, items: list[dict], warm: bool) -> list[float]:
    """ask_and_keep (what the route calls) per dev question; the first round is not counted."""
    from service.context import build_context
    from service.settings import Settings

    context = build_context(Settings(db_path=db, state_path=state, **({} if warm else CACHES_OFF)))
    times = []
    try:
        for round_ in range(ROUNDS):
            for item in items:
                started = time.perf_counter()
                context.ask_and_keep(item["question"], today=dt.date.fromisoformat(item["today"]))
                if round_:
                    times.append((time.perf_counter() - started) * 1000)
    finally:
        context.close()
    return times


def http_times(db: str, state: Path, items: list[dict], warm: bool) -> list[float]:
    from tests.e2e.conftest import start_service

    env = {"CHATBI_RATE_LIMIT_PER_MIN": "0"} | ({} if warm else {f"CHATBI_{k.upper()}": "0" for k in CACHES_OFF})
    process, base = start_service(Path(db), state, **env)
    times = []
    try:
        with httpx.Client(base_url=base, timeout=60) as client:
            for round_ in range(ROUNDS):
                for item in items:
                    started = time.perf_counter()
                    client.post("/api/v1/ask", json={"question": item["question"], "today": item["today"]})
                    if round_:
                        times.append((time.perf_counter() - started) * 1000)
    finally:
        process.terminate()
        process.wait(timeout=10)
    return times


def main(db: str) -> None:
    items = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines()]
    figures = {}
    with tempfile.TemporaryDirectory() as tmp:
        figures["parser"] = spread(parse_times(db, Path(tmp) / "parse.sqlite"))
        for where, measure in (("in-process", in_process_times), ("http", http_times)):
            for kind in ("cold", "warm"):
                times = measure(db, Path(tmp) / f"{where}-{kind}.sqlite", items, kind == "warm")
                figures[f"ask {where} {kind}"] = spread(times)
    print_table(f"scale 1, {len(items)} dev questions x {ROUNDS - 1} rounds after one uncounted (parser: every "
                "frozen set x 3), ms", ["measured", "p50", "p95", "mean", "count"],
                [[name, f["p50_ms"], f["p95_ms"], f["mean_ms"], f["count"]] for name, f in figures.items()])
    merge_artifact("ask_scale_1", figures)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "data/bench.duckdb")

"""`make bench`: at scale 1, the parser's time from question to SemanticQuery over every frozen
question set (dev, own, unseen*, holdout), and the whole /api/v1/ask request time over a real server
over the shared dev set, p50 and p95."""

from __future__ import annotations

import datetime as dt
import json
import statistics
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
DEV = ROOT.parent / "shared" / "eval" / "dev.jsonl"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main(db: str) -> None:
    sys.path.insert(0, str(ROOT))
    from semantic_layer.parser.compose import to_query
    from service.context import build_context
    from service.settings import Settings
    from tests.e2e.conftest import start_service

    items = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines()]
    questions = [json.loads(line) for path in [DEV, *sorted((ROOT / "tests" / "eval").glob("*.jsonl"))]
                 for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    context = build_context(Settings(db_path=Path(db), state_path=Path("/tmp/chatbi-bench.sqlite")))
    parser = context.asker.parser
    parse_ms = []
    for _ in range(3):
        for item in questions:
            started = time.perf_counter()
            outcome = parser.parse(item["question"], dt.date.fromisoformat(item["today"]))
            if outcome.parts.metrics:
                to_query(outcome.parts, parser.model)
            parse_ms.append((time.perf_counter() - started) * 1000)
    context.close()

    process, base = start_service(Path(db), Path("/tmp/chatbi-bench.sqlite"))
    ask_ms = []
    try:
        with httpx.Client(base_url=base, timeout=60) as client:
            for round_ in range(5):
                for item in items:
                    started = time.perf_counter()
                    client.post("/api/v1/ask", json={"question": item["question"], "today": item["today"]})
                    if round_:  # the first round warms DuckDB's caches
                        ask_ms.append((time.perf_counter() - started) * 1000)
    finally:
        process.terminate()
        process.wait(timeout=10)
    print(f"parser, question -> SemanticQuery ({len(parse_ms)} parses): "
          f"p50 {percentile(parse_ms, 0.5):.2f} ms, p95 {percentile(parse_ms, 0.95):.2f} ms")
    print(f"/api/v1/ask end to end ({len(ask_ms)} requests): "
          f"p50 {percentile(ask_ms, 0.5):.1f} ms, p95 {percentile(ask_ms, 0.95):.1f} ms, "
          f"mean {statistics.mean(ask_ms):.1f} ms")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "data/bench.duckdb")

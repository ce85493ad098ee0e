"""What every bench shares: percentiles of timings, a printed table, and figures merged into
``artifacts/bench.json`` under their own key (other benches' keys stay as they are)."""

from __future__ import annotations

import datetime as dt
import json
import statistics
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ARTIFACT = ROOT / "artifacts" / "bench.json"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def spread(values: list[float]) -> dict[str, float]:
    """p50 / p95 / mean of timings in ms, and how many."""
    return {"p50_ms": round(percentile(values, 0.5), 2), "p95_ms": round(percentile(values, 0.95), 2),
            "mean_ms": round(statistics.mean(values), 2), "count": len(values)}


def print_table(title: str, header: list[str], rows: list[list]) -> None:
    print(f"\n{title}")
    print("| " + " | ".join(header) + " |")
    print("|---|" + "---:|" * (len(header) - 1))
    for row in rows:
        print("| " + " | ".join(str(cell) for cell in row) + " |")


def merge_artifact(key: str, figures: dict, path: Path = ARTIFACT) -> None:
    kept = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    kept[key] = {"date": dt.date.today().isoformat(), **figures}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(kept, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")

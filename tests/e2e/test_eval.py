"""Execution accuracy of the parser on the shared dev set and on our own set, through the same
path as /ask, on the session's demo warehouse (end date 2025-06-30)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from service.evaluate import evaluate_file, report
from tests.conftest import SHARED

OWN = Path(__file__).parents[1] / "eval" / "own.jsonl"


def accuracy(path: Path, context) -> tuple[float, str]:
    verdicts = evaluate_file(path, context.asker, context.warehouse)
    return sum(v.passed for v in verdicts) / len(verdicts), report(verdicts)


def test_dev_set_accuracy_is_at_least_95_percent(context):
    score, text = accuracy(SHARED / "eval" / "dev.jsonl", context)
    assert score >= 0.95, text


def test_own_set_has_150_questions_and_at_least_95_percent(context):
    lines = OWN.read_text(encoding="utf-8").splitlines()
    assert len(lines) >= 150
    score, text = accuracy(OWN, context)
    assert score >= 0.95, text


def test_eval_and_ask_commands(warehouse_path, tmp_path):
    env_args = [sys.executable, "-m", "service.cli"]
    done = subprocess.run(env_args + ["eval", str(SHARED / "eval" / "dev.jsonl"), "--db", str(warehouse_path)],
                          capture_output=True, text=True, env={"CHATBI_STATE_PATH": str(tmp_path / "s.sqlite"),
                                                               "PATH": ""})
    assert done.returncode == 0 and "execution accuracy: " in done.stdout
    asked = subprocess.run(env_args + ["ask", "各渠道的订单数", "--db", str(warehouse_path), "--today", "2025-07-01"],
                           capture_output=True, text=True, env={"CHATBI_STATE_PATH": str(tmp_path / "s.sqlite")})
    assert asked.returncode == 0 and "订单数 · 按渠道" in asked.stdout and "天猫" in asked.stdout

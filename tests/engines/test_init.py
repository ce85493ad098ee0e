"""`chatbi init` on the other engines: the demo tables in PostgreSQL (no declared keys there: they
are found in the data) and in chdb draft a model that `chatbi model check` accepts."""

from __future__ import annotations

import pytest

from tests.e2e.test_bring_your_own_data import chatbi


@pytest.mark.parametrize("engine", ["postgresql", "chdb"])
def test_a_draft_of_the_demo_tables_checks_ok(engine, engine_urls, tmp_path, capsys):
    model = tmp_path / "model.yaml"
    assert chatbi("init", "--db", engine_urls[engine], "--out", model) == 0
    text = model.read_text()
    assert "- {name: orders, primary_key: [order_id]}  # guessed: order_id has a value of its own" in text
    assert "- {from: orders, to: channels, keys: [[channel_id, channel_id]]}" in text
    assert "bindings: [{table: channels, column: channel_name}]" in text
    assert chatbi("model", "check", model, "--db", engine_urls[engine]) == 0, capsys.readouterr().err
    assert "ok:" in capsys.readouterr().out

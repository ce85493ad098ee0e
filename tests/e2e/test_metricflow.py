"""MetricFlow's own integration suite on an imported model: `chatbi import-dbt` reads its
simple_manifest, every runnable case of expected_results/index.yaml runs through the query path
(compiler, guard, row policies, engine) and is compared with the CSV MetricFlow's check query gave:
numbers to 6 significant digits, rows as multisets unless the case checks order. The cases that
cannot pass are those docs/metricflow.md lists, no more and no fewer."""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections import Counter
from pathlib import Path

import httpx
import pytest
import yaml
from fastapi.testclient import TestClient

from semantic_layer.metricflow.request import MfQuery
from semantic_layer.policy import AccessPolicy, MetricForbidden
from service.answers import NotImported
from service.cli import main
from service.context import build_context
from service.main import create_app
from service.settings import Settings
from tests.e2e.conftest import METRICFLOW, start_service

EXPECTED = METRICFLOW / "expected_results"
KNOWN = Path(__file__).resolve().parents[2] / "docs" / "metricflow.md"
RUNNABLE = 232


def known_failures() -> dict[tuple[str, str], str]:
    """(file, case) -> reason, from the table in docs/metricflow.md."""
    rows = re.findall(r"^\| `(itest_\w+\.yaml)` \| `(\w+)` \| (.+?) \|$", KNOWN.read_text(encoding="utf-8"), re.M)
    return {(file, case): reason for file, case, reason in rows}


def cases() -> list[dict]:
    return [c for c in yaml.safe_load((EXPECTED / "index.yaml").read_text())["cases"] if "error" not in c]


def comparable(value):
    """A cell as compared: numbers to 6 significant digits, times as ISO text, booleans as CSV writes them."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value).isoformat(sep=" ")
        except ValueError:
            pass
        try:
            value = float(value)
        except ValueError:
            return value
    return float(f"{float(value):.6g}")


def verdict(case: dict, columns: list[str], rows: list[list]) -> str | None:
    """None when the answer equals MetricFlow's, else what differs. Results too large to be stored
    with the data set are compared by their row count."""
    if "expected_csv" not in case:
        return None if len(rows) == case["rows"] else f"{len(rows)} rows, expected {case['rows']}"
    with open(EXPECTED / case["expected_csv"], newline="") as handle:
        header, *expected = list(csv.reader(handle))
    if sorted(header) != sorted(columns):
        return f"columns {columns}, expected {header}"
    order = [columns.index(name) for name in header]
    got = [tuple(comparable(row[i]) for i in order) for row in rows]
    want = [tuple(comparable(v) for v in row) for row in expected]
    if case.get("check_order"):
        return None if got == want else "rows differ (in order)"
    missing = next(iter(Counter(want) - Counter(got)), None)
    return None if Counter(got) == Counter(want) else \
        f"rows differ: {len(got)} rows, expected {len(want)}; first missing {missing}"


@pytest.fixture(scope="module")
def imported(metricflow, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("mf_model") / "model.yaml"
    main(["import-dbt", str(METRICFLOW / "semantic_manifest"), "--out", str(out)])
    return out


@pytest.fixture(scope="module")
def context(metricflow, imported, tmp_path_factory):
    folder = tmp_path_factory.mktemp("mf_state")
    context = build_context(Settings(db_path=str(metricflow), model_path=imported, state_path=folder / "s.sqlite",
                                     reference_date=dt.date(2020, 2, 1)))
    yield context
    context.close()


@pytest.fixture(scope="module")
def mf_server(metricflow, imported, tmp_path_factory):
    """`chatbi serve --model … --db …` in its own process; a batch runner needs no rate limit."""
    folder = tmp_path_factory.mktemp("mf_serve")
    process, base = start_service(metricflow, folder / "s.sqlite", CHATBI_MODEL_PATH=str(imported),
                                  CHATBI_ACCESS_PATH=str(folder / "access.yaml"), CHATBI_RATE_LIMIT_PER_MIN="0")
    yield base
    process.terminate()
    process.wait(timeout=10)


def test_metricflows_integration_cases(mf_server):
    """Every runnable case sent to /api/v1/mf/query over HTTP, as an outside runner would."""
    fields = set(MfQuery.model_fields)
    runnable = cases()
    assert len(runnable) == RUNNABLE
    failures, passed = {}, Counter()
    with httpx.Client(base_url=mf_server, timeout=60) as http:
        for case in runnable:
            source = Path(case["source_file"]).name
            response = http.post("/api/v1/mf/query", json={k: v for k, v in case.items() if k in fields})
            body = response.json()
            problem = verdict(case, body["columns"], body["rows"]) if response.status_code == 200 else \
                f"{response.status_code}: {body.get('error', body)}"
            if problem:
                failures[(source, case["name"])] = problem
            else:
                passed[source] += 1
    totals = Counter(Path(c["source_file"]).name for c in runnable)
    for source in sorted(totals):
        print(f"{source}: {passed[source]}/{totals[source]}")
    print(f"total: {sum(passed.values())}/{RUNNABLE}")
    known = known_failures()
    assert sorted(failures) == sorted(known), {
        "new failures": {k: v for k, v in failures.items() if k not in known},
        "now passing (remove from docs/metricflow.md)": sorted(set(known) - set(failures))}


@pytest.fixture(scope="module")
def client(metricflow, imported, tmp_path_factory):
    folder = tmp_path_factory.mktemp("mf_http")
    app = create_app(Settings(db_path=str(metricflow), model_path=imported, state_path=folder / "s.sqlite",
                              auth="off", rate_limit_per_min=0))
    with TestClient(app) as client:
        yield client


def test_the_http_endpoint_answers_metricflows_query_fields(client):
    body = {"metrics": ["bookings", "booking_value"], "group_bys": ["booking__is_instant"],
            "where_filter": "{{ Dimension('listing__country_latest') }} = 'us'", "order_bys": ["-bookings"]}
    response = client.post("/api/v1/mf/query", json=body)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["columns"] == ["booking__is_instant", "bookings", "booking_value"]
    # SELECT b.is_instant, COUNT(*), SUM(b.booking_value) FROM fct_bookings b JOIN dim_listings_latest l
    # ON b.listing_id = l.listing_id WHERE l.country = 'us' GROUP BY 1
    assert [[instant, bookings, round(value, 2)] for instant, bookings, value in answer["rows"]] == [
        [False, 58, 39637.72], [True, 40, 34418.97]]


@pytest.mark.parametrize("body, status", [
    ({"metrics": ["no_such_metric"]}, 422),
    ({"metrics": ["bookings"], "group_bys": ["listing__nothing"]}, 422),
    ({"metrics": ["bookings"], "where_filter": "{{ Dimension('booking__is_instant') }}; DROP TABLE fct_bookings"}, 422),
    ({"metrics": ["bookings"], "where_filter": "(SELECT 1) = 1"}, 422),
    ({"metrics": ["bookings"], "where_filter": "{{ Dimension(__import__('os')) }}"}, 422),
    ({"metrics": ["bookings"], "time_constraint": ["yesterday", "2020-01-01"]}, 422),
    ({"metrics": ["bookings"], "unknown_field": 1}, 422),
    ({"metrics": "bookings"}, 422),
])
def test_a_bad_query_gets_a_clear_message(client, body, status):
    response = client.post("/api/v1/mf/query", json=body)
    assert response.status_code == status, response.text
    assert response.json()["status"] == "error" and "Traceback" not in response.text


@pytest.mark.parametrize("text, says", [
    ("semantic_model:\n  name: [unclosed\n", "bad.yaml"),
    ("metric:\n  name: M\n  type: simple\n", "bad.yaml` on line #1"),
    ("metric:\n  name: booked\n  type: simple\n  type_params: {measure: nowhere}\n", "project configuration"),
])
def test_a_bad_manifest_gets_a_located_message_and_an_exit_code(tmp_path, capsys, text, says):
    (tmp_path / "manifest").mkdir()
    (tmp_path / "manifest" / "bad.yaml").write_text(text)
    with pytest.raises(SystemExit) as exit:
        main(["import-dbt", str(tmp_path / "manifest"), "--out", str(tmp_path / "model.yaml")])
    assert exit.value.code == 2 and not (tmp_path / "model.yaml").exists()
    message = capsys.readouterr().err
    assert says in message and "Traceback" not in message


def test_plain_questions_on_the_imported_model_need_no_code_of_their_own(context, metricflow):
    """The parser answers from the imported names alone, as hand-written SQL does."""
    today = dt.date(2020, 2, 1)
    by_instant = context.asker.ask("bookings by is_instant last month", today)
    assert by_instant.status == "ok", by_instant.answer_text
    # SELECT is_instant, COUNT(*) FROM fct_bookings WHERE ds >= '2020-01-01' AND ds < '2020-02-01' GROUP BY 1
    assert sorted(map(tuple, by_instant.result.rows)) == [(False, 9), (True, 6)]
    monthly = context.asker.ask("2020年每月的 booking value", dt.date(2021, 1, 1))
    assert monthly.status == "ok", monthly.answer_text
    # SELECT DATE_TRUNC('month', ds), SUM(booking_value) FROM fct_bookings WHERE YEAR(ds) = 2020 GROUP BY 1
    assert [(row[0][:7], round(row[1], 2)) for row in monthly.result.rows] == [
        ("2020-01", 5378.81), ("2020-02", 45503.8), ("2020-03", 48624.2), ("2020-04", 49821.2), ("2020-12", 59882.6)]


def test_a_role_that_may_not_see_a_metric_cannot_ask_for_it(context):
    with pytest.raises(MetricForbidden):
        context.engine.answer_mf(MfQuery(metrics=("bookings",)), AccessPolicy(hidden_metrics=frozenset({"bookings"})))


def test_a_model_not_imported_from_dbt_refuses_metricflow_queries(engine):
    with pytest.raises(NotImported) as refused:
        engine.answer_mf(MfQuery(metrics=("gmv",)))
    assert refused.value.status == 400


def test_the_llm_front_end_plans_with_the_imported_names(metricflow, imported, provider, tmp_path):
    """The LLM is offered the imported catalog (its names and descriptions) and its plan over those
    names is checked and answered like any other."""
    process, base = start_service(metricflow, tmp_path / "s.sqlite", CHATBI_MODEL_PATH=str(imported),
                                  CHATBI_ACCESS_PATH=str(tmp_path / "access.yaml"),
                                  CHATBI_LLM_BASE_URL=provider.base_url, CHATBI_LLM_MODEL="standin",
                                  CHATBI_LLM_API_KEY="test-key")
    try:
        provider.requests.clear()
        provider.script({"arguments": {"action": "query", "query": {
            "metrics": ["bookings"], "dimensions": ["booking__is_instant"],
            "time_range": {"start": "2020-01-01", "end": "2020-02-01"}}}})
        response = httpx.post(f"{base}/api/v1/ask", timeout=30, json={
            "question": "bookings by is_instant last month", "engine": "llm", "today": "2020-02-01"})
        body = response.json()
        assert body["status"] == "ok" and body["engine"] == "llm", body
        assert sorted(map(tuple, body["rows"])) == [(False, 9), (True, 6)]  # as the parser's answer above
        schema = provider.requests[0]["tools"][0]["function"]["parameters"]["$defs"]["SemanticQuery"]
        assert "bookings" in schema["properties"]["metrics"]["items"]["enum"]
    finally:
        process.terminate()
        process.wait(timeout=10)

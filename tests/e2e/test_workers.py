"""More than one process: two services (one of them with two worker processes) over one state
database. Whichever process takes a request, a follow-up continues its conversation, a permalink
and its feedback are found, a rate limit and a user's query slots hold, and verified examples,
glossary terms and audit entries are everyone's."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.e2e.conftest import start_service


@pytest.fixture(scope="module")
def pair(warehouse_path, tmp_path_factory):
    state = tmp_path_factory.mktemp("workers") / "chatbi.sqlite"
    env = {"CHATBI_RATE_LIMIT_PER_MIN": "40", "CHATBI_QUERY_TIMEOUT_S": "2", "CHATBI_QUERY_GRACE_S": "1"}
    first, first_base = start_service(warehouse_path, state, workers=2, **env)
    second, second_base = start_service(warehouse_path, state, **env)
    yield first_base, second_base
    for process in (first, second):
        process.terminate()
        process.wait(timeout=20)


def ask(base: str, question: str, conversation_id: str | None = None) -> dict:
    body = {"question": question, "today": "2025-07-01"}
    if conversation_id:
        body["conversation_id"] = conversation_id
    response = httpx.post(f"{base}/api/v1/ask", json=body, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_follow_up_continues_in_another_process(pair):
    first, second = pair
    asked = ask(first, "上个月天猫的成交金额")
    split = ask(second, "那按城市拆分呢", asked["conversation_id"])
    assert split["conversation_id"] == asked["conversation_id"]
    assert split["interpretation"]["query"]["dimensions"] == [{"name": "city"}]
    month = ask(first, "换成5月", asked["conversation_id"])
    assert month["interpretation"]["query"]["time_range"] == {"start": "2025-05-01", "end": "2025-06-01"}


def test_a_permalink_and_its_feedback_are_found_by_another_process(pair):
    first, second = pair
    answer_id = ask(first, "今年每月的GMV")["answer_id"]
    assert httpx.get(f"{second}/a/{answer_id}").status_code == 200
    given = httpx.post(f"{second}/api/v1/feedback", json={"answer_id": answer_id, "rating": "up", "comment": "x"})
    assert given.status_code == 201
    assert given.json()["id"] in {f["id"] for f in httpx.get(f"{first}/api/v1/feedback").json()}


def test_examples_glossary_and_audit_are_shared(pair):
    first, second = pair
    query = {"metrics": ["order_count"], "dimensions": ["channel_type"], "time_range": {"expression": "上个月"}}
    assert httpx.post(f"{first}/api/v1/examples", json={"question": "私域做得如何", "query": query}).status_code == 201
    assert ask(second, "私域做得如何")["engine"] == "example"
    term = {"term": "双大促", "dimension": "campaign_type", "value": "大促"}
    assert httpx.post(f"{second}/api/v1/glossary", json=term).status_code == 201
    for base in (first, first, second):  # the first service's two workers both learn it
        body = ask(base, "双大促期间的订单数")
        assert {"dimension": "campaign_type", "value": "大促"} in body["interpretation"]["query"]["filters"]
    audited = {e["question"] for e in httpx.get(f"{first}/api/v1/audit", params={"limit": 500}).json()}
    assert "私域做得如何" in audited


def test_a_users_query_slots_hold_across_processes(pair):
    """Two running and two waiting for one user (everyone is the one user of an open demo), whichever
    processes take them: of eight queries that run to the time limit at once, four are refused.
    Counted in each process, the three here would have taken all eight."""
    slow = "SELECT COUNT(*) FROM events a JOIN events b ON a.customer_id <> b.customer_id + {}"
    first, second = pair
    with ThreadPoolExecutor(max_workers=8) as pool:
        answered = list(pool.map(lambda i: httpx.post(f"{(first, second)[i % 2]}/api/v1/sql",
                                                      json={"sql": slow.format(i)}, timeout=30), range(8)))
    refused = [r for r in answered if r.status_code == 429]
    assert len(refused) == 4, [r.status_code for r in answered]
    assert {r.json()["error"]["code"] for r in refused} == {"too_many_queries"}
    assert {r.json()["error"]["code"] for r in answered if r not in refused} == {"query_timeout"}


def test_a_rate_limit_holds_across_processes(pair):
    """40 a minute for this address, whichever process counts: 60 more requests cannot all pass."""
    codes = {base: [httpx.get(f"{base}/api/v1/metrics").status_code for _ in range(30)] for base in pair}
    assert sum(c.count(200) for c in codes.values()) <= 40
    assert all(429 in c for c in codes.values())

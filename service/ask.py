"""The one use case every channel calls: a question in words -> an answer, or an honest request
to clarify. plan() turns the question into a SemanticQuery (verified example, parser, or LLM);
run() executes it and words the answer."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field, replace
from typing import Literal

from semantic_layer.describe import query_json, range_text, restate
from semantic_layer.errors import QueryInvalid, SemanticError
from semantic_layer.narrate import narrate
from semantic_layer.parser import QuestionParser
from semantic_layer.parser.compose import Parts, parts_from_query, question_text, to_query
from semantic_layer.parser.followup import apply_follow_up, is_follow_up
from semantic_layer.parser.normalize import question_language
from semantic_layer.policy import OPEN, AccessPolicy, require_data
from semantic_layer.query import DimensionRef, SemanticQuery
from semantic_layer.resolve import ResolvedQuery, allowed_dimensions, resolve_query
from semantic_layer.timeexpr import check_reference_date, resolve_time_expression
from service.answers import Answer, QueryEngine
from service.conversations import ConversationStore, Turn
from service.examples import KnowledgeStore
from service.llm import LlmUnavailable, QuestionModel

Engine = Literal["auto", "parser", "llm"]
MAX_QUESTION_CHARS = 500
_STARTER_METRICS = ("gmv", "order_count", "buyer_count", "repurchase_rate", "roi")


class QuestionInvalid(SemanticError):
    code = "invalid_question"


@dataclass(frozen=True)
class Caller:
    """Who asks: the user (conversations are theirs, queries count against their share) and the
    role's policy."""

    user: str = "local"
    policy: AccessPolicy = OPEN


@dataclass
class AskResult:
    status: Literal["ok", "clarify", "error"]
    question: str
    language: str
    conversation_id: str
    engine: str
    answer_text: str
    suggestions: list[str] = field(default_factory=list)
    query: SemanticQuery | None = None
    resolved: ResolvedQuery | None = None
    restatement: str = ""
    changes: list[str] = field(default_factory=list)
    corrections: list[dict] = field(default_factory=list)
    result: Answer | None = None
    sql_mode: bool = False
    timings: dict[str, float] = field(default_factory=dict)

    def interpretation(self) -> dict | None:
        if self.query is None and not self.sql_mode:
            return None
        return {"query": query_json(self.query) if self.query else None, "text": self.restatement,
                "changes": self.changes, "corrections": self.corrections}


class Asker:
    def __init__(self, engine: QueryEngine, parser: QuestionParser, conversations: ConversationStore,
                 knowledge: KnowledgeStore, llm: QuestionModel | None) -> None:
        self.engine = engine
        self.parser = parser
        self.conversations = conversations
        self.knowledge = knowledge
        self.llm = llm

    def ask(self, question: str, today: dt.date, conversation_id: str | None = None,
            engine: Engine = "auto", policy: AccessPolicy = OPEN, user: str = "local") -> AskResult:
        started = time.perf_counter()
        require_data(policy)
        check_reference_date(today)
        caller = Caller(user, policy)
        question = question.strip()
        if not question:
            raise QuestionInvalid("问题不能为空", "the question is empty")
        if len(question) > MAX_QUESTION_CHARS:
            raise QuestionInvalid(f"问题太长（上限 {MAX_QUESTION_CHARS} 字）",
                                  f"the question is longer than {MAX_QUESTION_CHARS} characters")
        if engine == "llm" and self.llm is None:
            raise LlmUnavailable("没有配置大模型（CHATBI_LLM_BASE_URL 等）", "no LLM is configured (CHATBI_LLM_BASE_URL ...)")
        language = question_language(question)
        previous = self.conversations.last(conversation_id, user) if conversation_id else None
        # an unknown, expired or someone else's conversation id is never taken over: a new one starts
        conversation_id = conversation_id if previous is not None else self.conversations.new_id()
        result = self._plan(question, today, language, previous, engine, conversation_id, caller)
        planned = time.perf_counter()
        if result.status == "ok" and result.query is not None and not result.sql_mode:
            self._run(result, today, caller)
        result.timings = {"plan_ms": round((planned - started) * 1000, 2),
                          "total_ms": round((time.perf_counter() - started) * 1000, 2)}
        if result.result:
            result.timings["query_ms"] = result.result.timings.get("query_ms", 0.0)
        return result

    # ---- planning ---------------------------------------------------------------------------
    def _plan(self, question, today, language, previous: Turn | None, engine, conversation_id,
              caller: Caller) -> AskResult:
        base = dict(question=question, language=language, conversation_id=conversation_id)
        if engine != "llm":
            example = self.knowledge.match_example(question)
            if example is not None:
                return self._accept(AskResult("ok", engine="example", answer_text="", **base), example.query,
                                    None, today, caller)
            outcome = self.parser.parse(question, today)
            parts, changes = outcome.parts, []
            follow_up = previous is not None and is_follow_up(outcome.reading, parts)
            if follow_up:
                parts, changes = apply_follow_up(previous.parts, outcome.reading, parts, self.parser.model, language)
            corrections = [{"written": c.written, "understood": c.understood} for c in outcome.reading.corrections]
            problem = outcome.problem if not (follow_up and outcome.problem == "no_metric") else None
            if problem is None:
                result = AskResult("ok", engine="parser", answer_text="", changes=changes,
                                   corrections=corrections, **base)
                accepted = self._accept(result, None, parts, today, caller)
                if accepted.status == "ok" or engine == "parser" or self.llm is None:
                    return accepted
                fallback = accepted
            elif engine == "parser" or self.llm is None:
                return self._clarify(base, outcome, parts, language, today)
            else:
                fallback = self._clarify(base, outcome, parts, language, today)
        else:
            fallback = self._plan(question, today, language, previous, "parser", conversation_id, caller)
        return self._ask_llm(base, question, today, fallback, caller)

    def _accept(self, result: AskResult, query: SemanticQuery | None, parts: Parts | None,
                today: dt.date, caller: Caller) -> AskResult:
        """Check a query against the model; a combination it cannot answer becomes a clarification."""
        try:
            query = query or to_query(parts)
            resolved = resolve_query(self.engine.model, query, today)
        except QueryInvalid as error:
            result.status = "clarify"
            result.answer_text = error.text(result.language)
            result.suggestions = self._alternatives(parts, error, result.language, today)
            return result
        result.query, result.resolved = query, resolved
        result.restatement = restate(resolved, result.language)
        parts = parts or parts_from_query(query, resolved.time_range)
        self.conversations.remember(result.conversation_id, Turn(parts, result.language), caller.user)
        return result

    def _clarify(self, base: dict, outcome, parts: Parts, language: str, today: dt.date) -> AskResult:
        zh = language == "zh"
        if outcome.problem == "unknown_words":
            words = "、".join(f"「{w}」" for w in outcome.reading.unknown) if zh else \
                ", ".join(f"'{w}'" for w in outcome.reading.unknown)
            close = self.parser.closest_terms(outcome.reading.unknown, language)
            hint = ("，相近的有: " + "、".join(close) if zh else "; close catalog items: " + ", ".join(close)) if close else ""
            text = (f"我不确定{words}指什么{hint}。" if zh else f"I'm not sure what {words} means{hint}.")
        else:
            text = ("这个问题里没有我认识的指标，您想看哪个指标？" if zh else
                    "I couldn't find a metric in the question. Which figure would you like?")
        return AskResult("clarify", engine="parser", answer_text=text,
                         suggestions=self._suggestions(parts, outcome.reading.text, language, today), **base)

    def _suggestions(self, parts: Parts, text: str, language: str, today: dt.date) -> list[str]:
        """2-4 concrete questions that keep what was understood and add a metric when missing."""
        model = self.parser.model
        if not (parts.time_range or parts.dimensions or parts.filters):
            # nothing to keep: offer the common shapes (a month's total, a breakdown, a trend)
            shapes = [Parts(time_range=resolve_time_expression("上个月", today)),
                      Parts(dimensions=[DimensionRef(name="channel")]),
                      Parts(time_range=resolve_time_expression("今年", today),
                            dimensions=[DimensionRef(name="date", grain="month")])]
        else:
            shapes = [parts] * 3
        metrics = [[m] for m in parts.metrics] or [[m.id] for m in sorted(
            model.metrics, key=lambda m: -sum(ch in text for ch in set(m.name.zh + "".join(m.synonyms))))[:3]]
        if not parts.metrics:
            metrics = sorted(metrics, key=lambda ms: ms[0] not in _STARTER_METRICS)[:3]
        suggestions = [question_text(replace(shape, metrics=names), model, language, today)
                       for shape, names in zip(shapes, metrics)]
        if len(suggestions) < 2:
            suggestions.append(question_text(replace(shapes[1] if len(shapes) > 1 else parts, metrics=metrics[0]),
                                             model, language, today))
        return list(dict.fromkeys(suggestions))[:4]

    def _alternatives(self, parts: Parts | None, error: QueryInvalid, language: str, today: dt.date) -> list[str]:
        if parts is None:
            return []
        model = self.parser.model
        suggestions = []
        allowed = {d.id for m in parts.metrics if m in model.metric_by_id
                   for d in allowed_dimensions(model, model.metric_by_id[m])}
        for dim in [d for d in error.suggestions if d in allowed and d != "date"][:3]:
            candidate = replace(parts, dimensions=[DimensionRef(name=dim)],
                                filters=[f for f in parts.filters if f.dimension in allowed])
            suggestions.append(question_text(candidate, model, language, today))
        return suggestions

    def _ask_llm(self, base: dict, question: str, today: dt.date, fallback: AskResult,
                 caller: Caller) -> AskResult:
        """The LLM's plan; when it gives none, the parser's reading (or its clarification)."""
        nearest = self.knowledge.nearest_examples(question)
        outcome = self.llm.interpret(question, today, nearest)
        if outcome.query is not None:
            return self._accept(AskResult("ok", engine="llm", answer_text="", **base), outcome.query, None, today,
                                caller)
        if outcome.sql is not None:
            result = AskResult("ok", engine="llm", answer_text="", sql_mode=True, **base)
            result.result = self._run_llm_sql(outcome, question, today, caller)
            result.restatement = "SQL"
            result.answer_text = narrate(result.result.columns, result.result.rows, base["language"])
            return result
        if outcome.failed:
            return fallback
        return AskResult("clarify", engine="llm", answer_text=outcome.message(base["language"]), **base)

    def _run_llm_sql(self, outcome, question: str, today: dt.date, caller: Caller) -> Answer:
        sql = outcome.sql
        for attempt in range(3):  # the first try and up to two repairs of database errors
            try:
                return self.engine.answer_sql(sql, caller.policy, today, caller.user)
            except SemanticError as error:
                if attempt == 2 or error.code == "sql_refused":
                    raise
                sql = self.llm.repair_sql(question, today, sql, error.text("en"))
        raise AssertionError("unreachable")

    # ---- running ----------------------------------------------------------------------------
    def _run(self, result: AskResult, today: dt.date, caller: Caller) -> None:
        answer = self.engine.answer_query(result.query, today, caller.policy, caller.user)
        result.result = answer
        period = range_text(result.resolved.time_range, result.language) if result.resolved.time_range else ""
        result.answer_text = narrate(answer.columns, answer.rows, result.language, period)


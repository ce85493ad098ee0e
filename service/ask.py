"""The one use case every channel calls: a question in words -> an answer, or an honest request
to clarify. plan() turns the question into a SemanticQuery (verified example, parser, or LLM);
run() executes it and words the answer."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field, replace
from typing import Literal

from semantic_layer.describe import ReadingPiece, query_json, range_text, reading
from semantic_layer.errors import QueryInvalid, SemanticError
from semantic_layer.narrate import narrate
from semantic_layer.parser import QuestionParser
from semantic_layer.parser.accounting import named_in
from semantic_layer.parser.compose import Parts, parts_from_query, question_text, to_query
from semantic_layer.parser.followup import apply_follow_up, is_follow_up, pick_choice
from semantic_layer.parser.grammar import Problem
from semantic_layer.parser.normalize import question_language
from semantic_layer.policy import OPEN, AccessPolicy, require_data
from semantic_layer.query import DimensionRef, Filter, SemanticQuery
from semantic_layer.resolve import ResolvedQuery, allowed_dimensions, resolve_query
from semantic_layer.timeexpr import check_reference_date, last_complete_month
from service.answers import Answer, QueryEngine
from service.clarify import clarification_text, suggested_questions
from service.conversations import ConversationStore, Turn
from service.examples import KnowledgeStore
from service.freshness import describe_data
from service.llm import LlmUnavailable, QuestionModel

Engine = Literal["auto", "parser", "llm"]
MAX_QUESTION_CHARS = 500


class QuestionInvalid(SemanticError):
    code = "invalid_question"


class ReadOnlyRequest(SemanticError):
    code = "read_only"
    status = 403

    def __init__(self) -> None:
        super().__init__("我只能查询和分析数据，不能修改、删除或写入任何数据。",
                         "I only read data; I cannot change, delete or write anything.")


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
    pieces: list[ReadingPiece] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    corrections: list[dict] = field(default_factory=list)
    result: Answer | None = None
    sql_mode: bool = False
    timings: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # about the data behind the answer ('数据截至 …')
    partial_rows: list[int] = field(default_factory=list)  # buckets holding only part of their days

    def interpretation(self) -> dict | None:
        if self.query is None and not self.sql_mode:
            return None
        return {"query": query_json(self.query) if self.query else None, "text": self.restatement,
                "reading": [vars(p) for p in self.pieces], "changes": self.changes, "corrections": self.corrections}


class Asker:
    def __init__(self, engine: QueryEngine, parser: QuestionParser, conversations: ConversationStore,
                 knowledge: KnowledgeStore, llm: QuestionModel | None) -> None:
        self.engine = engine
        self.parser = parser
        self.conversations = conversations
        self.knowledge = knowledge
        self.llm = llm

    def ask(self, question: str, today: dt.date, conversation_id: str | None = None,
            engine: Engine = "auto", policy: AccessPolicy = OPEN, user: str = "local",
            edited: SemanticQuery | None = None) -> AskResult:
        """Answer a question; ``edited``: a reading the asker changed (a filter removed, another
        period), run instead of reading the question again."""
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
        if edited is not None:
            resolve_query(self.engine.model, edited, today)  # a reading sent by a caller: refused (400) if invalid
            result = self._accept(AskResult("ok", engine="edited", answer_text="", question=question, language=language,
                                            conversation_id=conversation_id), edited, None, today, caller)
        else:
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
            outcome = self.parser.parse(question, today, previous.parts if previous else None)
            if outcome.write:
                raise ReadOnlyRequest()
            reading, understanding = outcome.reading, outcome.understanding
            parts, changes = understanding.parts, []
            if previous is not None and not previous.trusted and not (parts.filters or parts.metrics or
                                                                      parts.time_range):
                previous = None  # asked back over words it could not read: '环比呢' has nothing sure to build on
            picked = pick_choice(reading, previous.choices[1]) if previous and previous.choices else None
            if picked is not None:  # the answer to 'which one did you mean'
                dimension = previous.choices[0]
                shown = previous.parts.dimensions  # answered with the full name beside the figure
                if all(d.name != dimension for d in shown):
                    shown = [*shown, DimensionRef(name=dimension)]
                parts = replace(previous.parts, dimensions=shown, filters=[
                    *previous.parts.filters, Filter(dimension=dimension, value=picked)])
                label = self.parser.model.dimension_by_id[dimension].label.pick(language)
                result = AskResult("ok", engine="parser", answer_text="", changes=[f"{label} = {picked}"], **base)
                return self._accept(result, None, parts, today, caller)
            if picked is None and previous is not None and previous.choices and not (parts.metrics or parts.dimensions):
                # '今年5月那次' when no single choice has those words: asked again, never read as a new period
                problem = Problem("ambiguous_name", (question,), previous.choices[1])
                return self._clarify(base, problem, previous.parts, reading.text, today, caller)
            # the answer to a question asked back completes it: '今年的退款率' after '帮我对比下天猫和京东'
            completes = previous is not None and previous.asked in ("no_metric", "ambiguous_metric") and bool(
                parts.metrics) and not parts.filters and not parts.dimensions
            # naming another analysis ('把沉睡的金卡会员列出来' after a figure) starts a new question
            # unless it asks it of them ('把这些人的名单导出来')
            follow_up = previous is not None and (parts.analysis in (None, previous.parts.analysis) or any(
                e.kind == "anaphor" and e.target == "group" for m in reading.mentions for e in m.entries)) and (
                is_follow_up(reading, understanding, previous.parts) or completes or previous.pending and not (
                    parts.time_range or parts.filters or parts.dimensions))
            if follow_up:
                if understanding.group_count:  # '里面女生多少': the previous question's metric, of them
                    parts = replace(parts, metrics=[])
                parts, changes = apply_follow_up(previous.parts, reading, parts, self.parser.model, language, today,
                                                 self.parser.values)
            problems = [p for p in understanding.problems if not (follow_up and p.kind == "no_metric")]
            if not parts.metrics and not parts.analysis and not problems:
                problems.append(Problem("no_metric"))
            if parts.compare and parts.compare != "group" and parts.time_range is None:  # 环比 alone: last month
                parts.time_range = last_complete_month(today)
            corrections = [{"written": c.written, "understood": c.understood} for c in reading.corrections]
            if not problems:
                result = AskResult("ok", engine="parser", answer_text="", changes=changes,
                                   corrections=corrections, **base)
                accepted = self._accept(result, None, parts, today, caller)
                if accepted.status == "ok" or engine == "parser" or self.llm is None:
                    return accepted
                fallback = accepted
            else:
                fallback = self._clarify(base, problems[0], parts, reading.text, today, caller)
                fallback.corrections = corrections
                if engine == "parser" or self.llm is None:
                    return fallback
        else:
            fallback = self._plan(question, today, language, previous, "parser", conversation_id, caller)
        return self._ask_llm(base, question, today, fallback, caller)

    def _accept(self, result: AskResult, query: SemanticQuery | None, parts: Parts | None,
                today: dt.date, caller: Caller) -> AskResult:
        """Check a query against the model; a combination it cannot answer becomes a clarification."""
        try:
            query = query or to_query(parts, self.engine.model)
            resolved = resolve_query(self.engine.model, query, today)
        except QueryInvalid as error:
            result.status = "clarify"
            result.answer_text = error.text(result.language)
            result.suggestions = self._alternatives(parts, error, result.language, today)
            return result
        result.query, result.resolved = query, resolved
        result.pieces = reading(self.engine.model, resolved, result.language)
        result.restatement = " · ".join(p.text for p in result.pieces)
        parts = parts or parts_from_query(query, resolved.time_range, resolved.comparison)
        self.conversations.remember(result.conversation_id, Turn(parts, result.language), caller.user)
        return result

    def _clarify(self, base: dict, problem: Problem, parts: Parts, text: str, today: dt.date,
                 caller: Caller) -> AskResult:
        """Ask back; what was understood is kept, so the answer to the question completes it."""
        language = base["language"]
        choices = None
        if problem.kind == "ambiguous_name" and problem.candidates:
            dimension = next((d for d, values in self.parser.values.items() if problem.candidates[0] in values), None)
            choices = (dimension, problem.candidates) if dimension else None
        self.conversations.remember(base["conversation_id"], Turn(parts, language, pending=True, choices=choices,
                                                                  asked=problem.kind), caller.user)
        hidden = caller.policy.hidden_metrics
        return AskResult("clarify", engine="parser",
                         answer_text=clarification_text(problem, self.parser, language, hidden),
                         suggestions=suggested_questions(problem, parts, self.parser, text, language, today, hidden),
                         **base)

    def _alternatives(self, parts: Parts | None, error: QueryInvalid, language: str, today: dt.date) -> list[str]:
        if parts is None:
            return []
        model = self.parser.model
        suggestions = []
        allowed = {d.id for m in parts.metrics if m in model.metric_by_id
                   for d in allowed_dimensions(model, model.metric_by_id[m])}
        for dim in [d for d in error.suggestions if d in allowed and d != model.time_dimension][:3]:
            candidate = replace(parts, dimensions=[DimensionRef(name=dim)],
                                filters=[f for f in parts.filters if f.dimension in allowed])
            suggestions.append(question_text(candidate, model, language, today))
        return suggestions

    def _ask_llm(self, base: dict, question: str, today: dt.date, fallback: AskResult,
                 caller: Caller) -> AskResult:
        """The LLM's plan; when it gives none, the parser's reading (or its clarification)."""
        nearest = self.knowledge.nearest_examples(question)
        named = named_in(self.parser.reader.read(question, today), self.parser.model)
        glossary = [f"{t.term} = {t.target} in {', '.join(t.values)}" if t.kind == "set" else
                    f"{t.term} = {t.target}" + (f" = {t.value}" if t.kind == "value" else "")
                    for t in self.knowledge.terms()]
        outcome = self.llm.interpret(question, today, nearest, named, glossary)
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
        if answer.analysis:  # its rows are the analysis' own (a matrix, the variants), worded by it
            result.answer_text = answer.analysis["summary"]["zh" if result.language == "zh" else "en"]
            return
        period = range_text(result.resolved.time_range, result.language) if result.resolved.time_range else ""
        data = describe_data(self.engine.data_ranges, result.resolved, answer.rows, self.parser.values,
                             result.language)
        result.notes, result.partial_rows = data.notes, data.partial_rows
        result.answer_text = data.empty_reason or narrate(answer.columns, answer.rows, result.language, period,
                                                          frozenset(data.partial_rows))


"""Everything a running service needs, built once from settings: used by the web app's
lifespan and by the command line (ask, eval) alike."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field

from semantic_layer.loader import load_model
from semantic_layer.model import SemanticModel
from semantic_layer.parser import QuestionParser
from semantic_layer.parser.lexicon import Entry
from semantic_layer.errors import SemanticError
from semantic_layer.policy import check_policy
from semantic_layer.describe import query_json
from semantic_layer.query import SemanticQuery
from service.access import OPEN_PRINCIPAL, AccessControl, Principal
from service.answer_log import AnswerLog
from service.audit import AuditLog
from service.limits import RateLimiter
from service.answers import QueryEngine
from service.ask import Asker
from service.bounded import BoundedMap
from service.catalog import dimension_values
from service.csv_text import csv_text
from service.conversations import ConversationStore
from service.examples import KnowledgeStore
from service.llm import QuestionModel
from service.predicted_tags import CannotFit, with_predictions
from service.prompts import PromptLibrary
from service.query_worker import QueryLimits
from service.schemas import ask_response
from service.settings import Settings
from service.warehouse import QueryTooHeavy, Warehouse
from service.wecom.aibot import AiBot
from service.wecom.bot import WeComBot
from service.wecom.client import WeComClient
from service.wecom.push import GroupRobot, PushNotConfigured


TRAINING_ROWS = 5_000_000


class ExportInvalid(SemanticError):
    code = "invalid_export"


@dataclass
class ServiceContext:
    settings: Settings
    warehouse: Warehouse
    engine: QueryEngine
    values: dict[str, list[str]]  # every dimension's values, for the parser's vocabulary
    knowledge: KnowledgeStore
    answers: AnswerLog
    asker: Asker
    access: AccessControl = None
    audit: AuditLog = None
    limiter: RateLimiter = None
    auth_failures: RateLimiter = None
    wecom_bot: WeComBot | None = None
    aibot: AiBot | None = None
    robot: GroupRobot = field(default_factory=GroupRobot)
    _values_by_policy: BoundedMap = field(default_factory=lambda: BoundedMap(64))
    _glossary_version: int = 0  # of the terms the parser was built with

    def visible_values(self, principal: Principal) -> dict[str, list[str]]:
        """The dimension values a caller may see: those inside the role's rows."""
        policy = principal.policy
        if policy.unrestricted:
            return self.values
        key = (policy, self.warehouse.data_version())
        values = self._values_by_policy.get(key)
        if values is None:
            values = dimension_values(self.engine, policy, principal.user, self.settings.today())
            self._values_by_policy.put(key, values)
        return values

    def starter_questions(self) -> list[str]:
        return ["上个月各渠道的成交金额", "各客户群体的复购率", "今年每月的成交金额", "最近一个月最畅销的TOP3产品"]

    def push(self, question: str, webhook_url: str | None = None, principal: Principal = OPEN_PRINCIPAL) -> dict:
        """Answer a question and post it to a group robot (markdown, then the chart image)."""
        url = webhook_url or self.settings.wecom_webhook_url
        if not url:
            raise PushNotConfigured("没有配置群机器人地址（WECOM_WEBHOOK_URL 或 --webhook）",
                             "no group robot webhook configured (WECOM_WEBHOOK_URL or --webhook)")
        body = self.ask_and_keep(question, principal=principal, channel="push")
        codes = self.robot.push(url, body, self.permalink(body.get("answer_id")))
        return {"status": body["status"], "answer_id": body.get("answer_id"), "errcodes": codes}

    @property
    def auth_on(self) -> bool:
        return self.settings.auth == "on"

    def ask_and_keep(self, question: str, conversation_id: str | None = None, today: dt.date | None = None,
                     engine: str = "auto", principal: Principal = OPEN_PRINCIPAL, channel: str = "api",
                     edited: SemanticQuery | None = None) -> dict:
        """Answer a question for a principal, keep an answered one for its permalink, audit it;
        the /ask response body."""
        started = time.perf_counter()
        if self.knowledge.version("glossary") != self._glossary_version:
            self.reload_parser()
        try:
            result = self.asker.ask(question, today or self.settings.today(), conversation_id, engine, principal.policy,
                                    principal.user, edited)
        except SemanticError as error:
            self.audit.record(principal.user, channel, question, "", None, 0, f"error:{error.code}",
                              (time.perf_counter() - started) * 1000)
            raise
        body = ask_response(result).model_dump(mode="json")
        if result.status == "ok":
            body["answer_id"] = self.answers.keep(result.question, {**body, "asked_by": principal.user})
        self.audit.record(principal.user, channel, question, body.get("interpretation") or "", body.get("sql"),
                          len(body.get("rows", [])), result.status, (time.perf_counter() - started) * 1000)
        return body

    def export_list(self, query: SemanticQuery, today: dt.date | None, principal: Principal,
                    channel: str) -> tuple[list, list[list], bool]:
        """A customer list for a role that may export, inside its rows, at most max_export_rows
        (and whether it was cut); audited with its row count."""
        started = time.perf_counter()
        if query.analysis != "customer_list":
            raise ExportInvalid("只能导出客户名单（analysis: customer_list）", "only a customer list can be exported "
                                                                            "(analysis: customer_list)")
        try:
            columns, rows, cut, sql = self.engine.customer_rows(query, today or self.settings.today(),
                                                                principal.policy, principal.user,
                                                                self.settings.max_export_rows)
        except SemanticError as error:
            self.audit.record(principal.user, channel, "export", query_json(query), None, 0, f"error:{error.code}",
                              (time.perf_counter() - started) * 1000)
            raise
        self.audit.record(principal.user, channel, "export", query_json(query), sql, len(rows), "ok",
                          (time.perf_counter() - started) * 1000)
        return columns, rows, cut

    def wecom_principal(self, wecom_user: str) -> Principal:
        """WeCom users map to users when keys are required; an open demo answers everyone."""
        return self.access.by_wecom_user(wecom_user) if self.auth_on else OPEN_PRINCIPAL

    def permalink(self, answer_id: str | None) -> str | None:
        base = (self.settings.public_url or "").rstrip("/")
        return f"{base}/a/{answer_id}" if base and answer_id else None

    def reload_parser(self) -> None:
        """Rebuild the parser's vocabulary after a glossary change (here or in another worker)."""
        self._glossary_version = self.knowledge.version("glossary")
        self.asker.parser = build_parser(self.engine.model, self.values, self.knowledge)

    def close(self) -> None:
        self.audit.close()
        self.limiter.close()
        self.auth_failures.close()
        self.asker.conversations.close()
        self.answers.close()
        self.knowledge.close()
        self.warehouse.close()


def build_parser(model: SemanticModel, values: dict[str, list[str]], knowledge: KnowledgeStore) -> QuestionParser:
    kinds = {"metric": lambda t: Entry("metric", t.target), "value": lambda t: Entry("value", t.target, t.value),
             "set": lambda t: Entry("set", t.target, t.term, values=t.values)}
    glossary = [(t.term, kinds[t.kind](t)) for t in knowledge.terms()]
    return QuestionParser(model, values, glossary)


def build_llm(settings: Settings, model: SemanticModel, values, tables) -> QuestionModel | None:
    if not (settings.llm_base_url and settings.llm_model):
        return None
    return QuestionModel(model, values, tables, PromptLibrary(settings.prompts_dir), settings.llm_base_url,
                         settings.llm_api_key or "none", settings.llm_model, settings.llm_timeout_s,
                         settings.llm_method)


def training_rows(warehouse: Warehouse, sql: str, timeout_s: float) -> tuple[list[str], list[tuple]]:
    """Rows for fitting a prediction: every row, with time to read them (the service's own SQL).
    Rows beyond a query's memory or result limit leave the prediction unfitted, as too many rows do:
    the service starts all the same (the demo data at scale 100 has 1.4 M customers to fit)."""
    try:
        result = warehouse.run(sql, TRAINING_ROWS, max(timeout_s, 300))
    except QueryTooHeavy as error:
        raise CannotFit(error.message["en"]) from error
    if result.truncated:
        raise CannotFit(f"more than {TRAINING_ROWS:,} rows")
    return [name for name, _ in result.columns], result.rows


def build_warehouse(settings: Settings) -> Warehouse:
    """The warehouse of ``settings`` with its slots, cache and query limits, connected."""
    limits = QueryLimits(settings.query_memory_mb, settings.query_threads, settings.query_temp_dir,
                         settings.query_temp_max_mb, settings.query_result_max_mb)
    slots = -(-settings.max_concurrent_queries // settings.workers)  # this process' share, rounded up
    return Warehouse(settings.db_path, slots, settings.queue_timeout_s, settings.cache_entries, limits,
                     settings.state_path, settings.user_query_slots, settings.query_grace_s, settings.cache_max_mb)


def build_context(settings: Settings) -> ServiceContext:
    warehouse = build_warehouse(settings)
    model = load_model(settings.model_path, schema=warehouse.schema())
    model, _ = with_predictions(model, lambda sql: training_rows(warehouse, sql, settings.query_timeout_s), settings.today(),
                                (settings.db_path, warehouse.data_version()))
    engine = QueryEngine(model, warehouse, settings.row_cap, settings.query_timeout_s, settings.max_export_rows,
                         settings.mf_row_cap, settings.plan_cache_entries)
    values = dimension_values(engine)
    knowledge = KnowledgeStore(settings.state_path)
    glossary_version = knowledge.version("glossary")
    asker = Asker(engine, build_parser(model, values, knowledge),
                  ConversationStore(settings.state_path, settings.conversation_limit, settings.conversation_ttl_s),
                  knowledge, build_llm(settings, model, values, engine.allowed))
    answers = AnswerLog(settings.state_path, settings.max_kept_answers, settings.answer_retention_days)
    context = ServiceContext(settings, warehouse, engine, values, knowledge, answers, asker,
                             AccessControl(settings.access_path),
                             AuditLog(settings.state_path, settings.audit_retention_days),
                             RateLimiter(settings.state_path, "requests", settings.rate_limit_per_min),
                             RateLimiter(settings.state_path, "auth_failures", settings.auth_failures_per_min),
                             _glossary_version=glossary_version)
    for role_name, role in context.access.data.roles.items():
        problems = check_policy(model, role.policy())
        if problems:
            raise ValueError(f"{settings.access_path}: role {role_name!r}: {'; '.join(problems)}")

    def ask(question: str, conversation_id: str | None, wecom_user: str) -> dict:
        return context.ask_and_keep(question, conversation_id, principal=context.wecom_principal(wecom_user),
                                    channel="wecom")

    def export(body: dict, wecom_user: str) -> tuple[str, bytes]:
        """A list answered in WeCom as a CSV file, for the same user and role."""
        query = SemanticQuery.model_validate(body["interpretation"]["query"])
        # whether the file is cut, the answer before it said
        columns, rows, _ = context.export_list(query, None, context.wecom_principal(wecom_user), "wecom")
        return f"customers-{body.get('answer_id') or 'list'}.csv", csv_text(columns, rows, "zh").encode("utf-8")
    if settings.wecom_corp_id and settings.wecom_token and settings.wecom_encoding_aes_key:
        client = WeComClient(settings.wecom_api_base, settings.wecom_corp_id, settings.wecom_secret,
                             settings.wecom_agent_id)
        context.wecom_bot = WeComBot(ask, client, context.permalink, context.starter_questions(), export=export)
    if settings.wecom_aibot_token and settings.wecom_aibot_encoding_aes_key:
        context.aibot = AiBot(ask, context.permalink, settings.wecom_aibot_window_s)
    return context

"""The one settings object (environment prefix CHATBI_); every field has a default that serves
the demo and a description shown by ``chatbi settings``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from semantic_layer.loader import DEMO_MODEL


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CHATBI_", extra="ignore", populate_by_name=True)

    db_path: str = Field("data/demo.duckdb", description="the warehouse, read-only: a DuckDB file, "
                         "postgresql://user:pass@host:port/db, clickhouse://user:pass@host:8123/db or chdb:///dir")
    model_path: Path = Field(DEMO_MODEL, description="semantic model YAML")
    reference_date: dt.date | None = Field(
        None, description="'today' for time words when a request gives none (default: the real date); "
                          "set it to serve a historical warehouse as if it were current")
    row_cap: int = Field(10_000, ge=1, le=1_000_000, description="most rows an answer returns")
    mf_row_cap: int = Field(100_000, ge=1, le=1_000_000, description="most rows a MetricFlow-style query returns "
                                                                     "(/api/v1/mf/query; a time spine has a row a day)")
    max_export_rows: int = Field(50_000, ge=1, le=1_000_000, description="most customers an exported list holds; "
                                                                         "the export says when it was cut")
    query_timeout_s: float = Field(30.0, gt=0, le=600, description="a query is interrupted after this")
    query_grace_s: float = Field(2.0, gt=0, le=60, description="a query still running this long after its time "
                                                              "limit is abandoned (its process killed): 504")
    query_memory_mb: int = Field(1024, ge=64, description="DuckDB memory_limit of each query process; its whole "
                                                          "address space is capped at this plus 1,024 MB")
    query_threads: int = Field(2, ge=1, le=64, description="DuckDB threads per query")
    query_temp_dir: Path = Field(Path("data/query_tmp"), description="where a large query may spill to disk")
    query_temp_max_mb: int = Field(2048, ge=0, description="most disk one query process may spill")
    query_result_max_mb: int = Field(16, ge=1, description="largest result a query may hand back")
    user_query_slots: int = Field(2, ge=1, description="queries one user may run at once in all worker processes "
                                                        "together (as many more may wait)")
    max_body_bytes: int = Field(1_000_000, ge=1_000, description="largest accepted request body")
    state_path: Path = Field(Path("data/chatbi.sqlite"),
                             description="local database of verified examples and glossary terms")
    web_dir: Path = Field(Path(__file__).resolve().parents[1] / "web", description="the chat page's files")
    prompts_dir: Path = Field(Path(__file__).resolve().parents[1] / "prompts", description="prompt templates")
    llm_base_url: str | None = Field(None, description="OpenAI-compatible endpoint, e.g. https://api.deepseek.com/v1")
    llm_api_key: str | None = Field(None, description="API key of the LLM provider")
    llm_model: str | None = Field(None, description="model name, e.g. deepseek-chat or qwen-plus")
    llm_timeout_s: float = Field(20.0, gt=0, le=300, description="an LLM call is abandoned after this")
    llm_method: str = Field("function_calling", pattern="^(function_calling|json_mode|json_schema)$",
                            description="how structured output is requested: tool calls, JSON mode or JSON schema")
    public_url: str | None = Field(None, description="base URL of this service for links in WeCom replies")
    wecom_corp_id: str | None = Field(None, validation_alias=AliasChoices("WECOM_CORP_ID", "CHATBI_WECOM_CORP_ID"),
                                      description="CorpID; with token and AES key it turns the app callback on")
    wecom_token: str | None = Field(None, validation_alias=AliasChoices("WECOM_TOKEN", "CHATBI_WECOM_TOKEN"),
                                    description="the app callback's Token")
    wecom_encoding_aes_key: str | None = Field(
        None, validation_alias=AliasChoices("WECOM_ENCODING_AES_KEY", "CHATBI_WECOM_ENCODING_AES_KEY"),
        description="the app callback's EncodingAESKey (43 characters)")
    wecom_agent_id: str = Field("", validation_alias=AliasChoices("WECOM_AGENT_ID", "CHATBI_WECOM_AGENT_ID"),
                                description="the app's AgentId, for message/send")
    wecom_secret: str = Field("", validation_alias=AliasChoices("WECOM_SECRET", "CHATBI_WECOM_SECRET"),
                              description="the app's Secret, for the access token")
    wecom_api_base: str = Field("https://qyapi.weixin.qq.com",
                                validation_alias=AliasChoices("WECOM_API_BASE", "CHATBI_WECOM_API_BASE"),
                                description="WeCom's API (a local stand-in in tests)")
    wecom_timestamp_tolerance_s: int = Field(
        300, ge=0, validation_alias=AliasChoices("WECOM_TIMESTAMP_TOLERANCE_S", "CHATBI_WECOM_TIMESTAMP_TOLERANCE_S"),
        description="replay window for callback timestamps; 0 turns the check off")
    wecom_callback_path: str = Field("/wecom/callback", pattern=r"^/[A-Za-z0-9/_\-]+$",
                                     validation_alias=AliasChoices("WECOM_CALLBACK_PATH", "CHATBI_WECOM_CALLBACK_PATH"),
                                     description="where the app callback is served")
    wecom_webhook_url: str | None = Field(None, validation_alias=AliasChoices("WECOM_WEBHOOK_URL", "CHATBI_WECOM_WEBHOOK_URL"),
                                          description="group robot webhook for chatbi push")
    wecom_aibot_token: str | None = Field(None, validation_alias=AliasChoices("WECOM_AIBOT_TOKEN", "CHATBI_WECOM_AIBOT_TOKEN"),
                                          description="the AI bot's Token; with its key it turns /wecom/aibot on")
    wecom_aibot_encoding_aes_key: str | None = Field(
        None, validation_alias=AliasChoices("WECOM_AIBOT_ENCODING_AES_KEY", "CHATBI_WECOM_AIBOT_ENCODING_AES_KEY"),
        description="the AI bot's EncodingAESKey")
    wecom_aibot_window_s: float = Field(330, ge=0, description="after this an AI-bot answer goes to response_url")
    auth: str = Field("auto", pattern="^(on|off|auto)$",
                      description="require API keys: on, off, or auto (on unless serving on loopback)")
    access_path: Path = Field(Path("data/access.yaml"), description="users, roles and API key hashes")
    audit_retention_days: int = Field(90, ge=0, description="audit entries older than this are deleted (0: keep)")
    answer_retention_days: int = Field(90, ge=0, description="kept answers (permalinks, CSV) older than this are "
                                                             "deleted unless they have feedback (0: keep)")
    max_kept_answers: int = Field(20_000, ge=1, description="most kept answers; the oldest without feedback go")
    body_timeout_s: float = Field(30, gt=0, description="a request body must arrive within this (408 beyond)")
    cache_max_mb: int = Field(128, ge=0, description="most memory the answer cache may hold")
    rate_limit_per_min: int = Field(120, ge=0, description="requests per minute per key (per address when open); 0: off")
    auth_failures_per_min: int = Field(10, ge=1, description="failed authentications per minute per address before 429")
    trusted_proxies: str = Field("", description="comma-separated addresses of reverse proxies whose X-Forwarded-For "
                                                 "is believed; empty: the peer address is the client")
    open_ops: bool | None = Field(None, description="serve /metrics, /readyz details and /docs without a key; "
                                                    "default: only when keys are not required")
    max_concurrent_queries: int = Field(4, ge=1, description="queries run at once (one process each); "
                                                             "more wait in line")
    workers: int = Field(1, ge=1, le=64, description="worker processes serving (chatbi serve --workers sets it); "
                                                     "max_concurrent_queries is shared out among them")
    queue_timeout_s: float = Field(10, gt=0, description="a query waiting longer than this is refused with 503")
    cache_entries: int = Field(256, ge=0, description="answers kept per (SQL, data version); 0: none")
    plan_cache_entries: int = Field(1024, ge=0, description="compiled plans kept per (query, reference date, role, "
                                                            "data version); 0: none")
    conversation_limit: int = Field(1000, ge=1, description="conversations kept in memory")
    conversation_ttl_s: float = Field(1800, gt=0, description="a quiet conversation is forgotten after this")

    @field_validator("db_path", mode="before")
    @classmethod
    def _warehouse_text(cls, value):
        return str(value) if isinstance(value, Path) else value

    def ops_open(self) -> bool:
        """Whether /metrics, /readyz details and the OpenAPI pages are served without a key."""
        return self.open_ops if self.open_ops is not None else self.auth != "on"

    def today(self) -> dt.date:
        return self.reference_date or dt.date.today()

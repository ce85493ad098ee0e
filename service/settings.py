"""The one settings object (environment prefix CHATBI_); every field has a default that serves
the demo and a description shown by ``chatbi serve --help``."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from semantic_layer.loader import DEMO_MODEL


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CHATBI_", extra="ignore")

    db_path: Path = Field(Path("data/demo.duckdb"), description="DuckDB warehouse file (opened read-only)")
    model_path: Path = Field(DEMO_MODEL, description="semantic model YAML")
    row_cap: int = Field(10_000, ge=1, le=1_000_000, description="most rows an answer returns")
    query_timeout_s: float = Field(30.0, gt=0, le=600, description="a query is interrupted after this")
    max_body_bytes: int = Field(1_000_000, ge=1_000, description="largest accepted request body")

"""Where the warehouse is: a plain DuckDB file path or a URL naming the engine, parsed once into a
frozen WarehouseUrl that every engine adapter reads."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import parse_qsl, unquote, urlsplit

from semantic_layer.errors import SemanticError

Engine = Literal["duckdb", "postgresql", "clickhouse", "chdb"]
# the sqlglot dialect each engine's SQL is rendered in
DIALECTS: dict[Engine, str] = {"duckdb": "duckdb", "postgresql": "postgres", "clickhouse": "clickhouse",
                               "chdb": "clickhouse"}
_SCHEMES: dict[str, Engine] = {"duckdb": "duckdb", "postgresql": "postgresql", "postgres": "postgresql",
                               "clickhouse": "clickhouse", "chdb": "chdb"}


class WarehouseUrlInvalid(SemanticError):
    code = "warehouse_url_invalid"
    status = 400


@dataclass(frozen=True)
class WarehouseUrl:
    """One warehouse. ``path`` for the embedded engines (a DuckDB file, a chdb directory); the
    server's address, credentials, database and extra options for PostgreSQL and ClickHouse."""

    engine: Engine
    path: Path | None = None
    host: str = ""
    port: int | None = None
    user: str = ""
    password: str = ""
    database: str = ""
    options: tuple[tuple[str, str], ...] = ()
    text: str = ""

    @property
    def dialect(self) -> str:
        return DIALECTS[self.engine]

    @property
    def embedded(self) -> bool:
        return self.path is not None

    def redacted(self) -> str:
        """The URL as it may be printed or logged: the password replaced.

        >>> parse_warehouse_url("postgresql://bi:secret@db:5432/shop").redacted()
        'postgresql://bi:***@db:5432/shop'
        """
        return self.text.replace(f":{self.password}@", ":***@") if self.password else self.text


def parse_warehouse_url(text: str | Path) -> WarehouseUrl:
    """A path or URL -> WarehouseUrl; anything else is refused with what is accepted.

    >>> parse_warehouse_url("data/demo.duckdb").path, parse_warehouse_url("duckdb:///srv/a.duckdb").path
    (PosixPath('data/demo.duckdb'), PosixPath('/srv/a.duckdb'))
    >>> url = parse_warehouse_url("clickhouse://bi:pw@ch1:8123/shop")
    >>> url.engine, url.host, url.port, url.user, url.database, url.dialect
    ('clickhouse', 'ch1', 8123, 'bi', 'shop', 'clickhouse')
    >>> parse_warehouse_url("chdb:///var/lib/chatbi/ch").path
    PosixPath('/var/lib/chatbi/ch')
    """
    text = str(text).strip()
    scheme, found, _ = text.partition("://")
    if not found:
        if not text:
            raise _invalid(text, "empty")
        return WarehouseUrl("duckdb", path=Path(text), text=text)
    engine = _SCHEMES.get(scheme.lower())
    if engine is None:
        raise _invalid(text, f"unknown scheme {scheme!r}")
    parts = urlsplit(text)
    if engine in ("duckdb", "chdb"):
        path = unquote(parts.netloc + parts.path)
        if not path:
            raise _invalid(text, "no path")
        return WarehouseUrl(engine, path=Path(path), text=text)
    try:
        port = parts.port
    except ValueError:
        raise _invalid(text, "the port is not a number")
    database = unquote(parts.path.lstrip("/"))
    options = tuple(parse_qsl(parts.query, keep_blank_values=True))
    if not database:
        raise _invalid(text, "no database name (…/DATABASE)")
    if not parts.hostname and not dict(options).get("host"):
        raise _invalid(text, "no host")
    return WarehouseUrl(engine, host=parts.hostname or "", port=port, user=unquote(parts.username or ""),
                        password=unquote(parts.password or ""), database=database, options=options, text=text)


def _invalid(text: str, reason: str) -> WarehouseUrlInvalid:
    accepted = ("a DuckDB file path, duckdb:///path/file.duckdb, postgresql://user:pass@host:port/db, "
                "clickhouse://user:pass@host:8123/db or chdb:///path/to/dir")
    shown = text.split("@")[-1] if "@" in text else text  # never echo a password
    return WarehouseUrlInvalid(f"无法识别的数据仓库地址 {shown!r}（{reason}）；可用: {accepted}",
                               f"not a warehouse address {shown!r} ({reason}); use {accepted}")

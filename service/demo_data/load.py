"""The demo warehouse in any engine: built as a DuckDB file (the same seed gives the same rows),
then, for PostgreSQL, ClickHouse and chdb, its tables created in the engine's types and loaded
from CSV files (text keeps every wall-clock time as it is, whatever the server's time zone)."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import duckdb
from sqlglot import exp

from service.demo_data.build import SCHEMA, build_demo_warehouse
from service.warehouse_url import WarehouseUrl, parse_warehouse_url


def create_table(table: str, dialect: str) -> exp.Create:
    """One demo table's CREATE in ``dialect``: text compares as DuckDB's does (byte order, COLLATE
    "C" on PostgreSQL); ClickHouse columns are Nullable in a MergeTree table."""
    columns = []
    for name, kind in SCHEMA[table]:
        constraints = [exp.ColumnConstraint(kind=exp.CollateColumnConstraint(this=exp.to_identifier("C", quoted=True)))] \
            if dialect == "postgres" and kind == "VARCHAR" else []
        columns.append(exp.ColumnDef(this=exp.to_identifier(name),
                                     kind=exp.DataType.build(kind.replace(" PRIMARY KEY", ""), dialect="duckdb"),
                                     constraints=constraints))
    properties = exp.Properties(expressions=[
        exp.EngineProperty(this=exp.to_identifier("MergeTree")),
        exp.Order(expressions=[exp.Ordered(this=exp.Tuple(expressions=[]))])]) if dialect == "clickhouse" else None
    return exp.Create(this=exp.Schema(this=exp.to_table(table), expressions=columns), kind="TABLE",
                      properties=properties)


def _drop(table: str) -> exp.Drop:
    return exp.Drop(tables=[exp.to_table(table)], kind="TABLE", exists=True)


def _export_csv(source: Path, folder: Path) -> dict[str, Path]:
    """Every demo table of the DuckDB file as a CSV file (NULL as an empty field)."""
    files = {}
    with duckdb.connect(str(source), read_only=True) as con:
        for table in SCHEMA:
            files[table] = folder / f"{table}.csv"
            con.execute(f"COPY {table} TO '{files[table]}' (HEADER false)")
    return files


def _load_postgres(url: WarehouseUrl, files: dict[str, Path]) -> None:
    import psycopg

    from service.engines.postgres import conninfo

    with psycopg.connect(**conninfo(url)) as connection:
        for table, path in files.items():
            connection.execute(_drop(table).sql("postgres"))
            connection.execute(create_table(table, "postgres").sql("postgres"))
            statement = psycopg.sql.SQL("COPY {} FROM STDIN (FORMAT csv)").format(psycopg.sql.Identifier(table))
            with connection.cursor().copy(statement) as copy, path.open("rb") as handle:
                while chunk := handle.read(1 << 20):
                    copy.write(chunk)
            connection.execute(psycopg.sql.SQL("ANALYZE {}").format(psycopg.sql.Identifier(table)))


def _load_chdb(path: Path, files: dict[str, Path]) -> None:
    from chdb import session

    path.mkdir(parents=True, exist_ok=True)
    loader = session.Session(str(path))
    try:
        for table, csv_path in files.items():
            loader.query(_drop(table).sql("clickhouse"))
            loader.query(create_table(table, "clickhouse").sql("clickhouse"))
            loader.query(f"INSERT INTO {table} FROM INFILE '{csv_path}' FORMAT CSV")
    finally:
        loader.close()


def _load_clickhouse(url: WarehouseUrl, files: dict[str, Path]) -> None:
    import clickhouse_connect
    from clickhouse_connect.driver.tools import insert_file

    options = dict(url.options)
    client = clickhouse_connect.get_client(host=url.host, port=url.port or 8123, username=url.user or "default",
                                           password=url.password, database=url.database,
                                           secure=options.get("secure", "") in ("1", "true"))
    try:
        for table, path in files.items():
            client.command(_drop(table).sql("clickhouse"))
            client.command(create_table(table, "clickhouse").sql("clickhouse"))
            insert_file(client, table, str(path), fmt="CSV")
    finally:
        client.close()


def load_demo_warehouse(target: str | Path, end_date: dt.date, seed: int = 7, scale: float = 1.0) -> dict[str, int]:
    """Build the demo warehouse into ``target`` (a DuckDB path or any warehouse URL); the row
    count of every table."""
    url = parse_warehouse_url(target)
    if url.engine == "duckdb":
        return build_demo_warehouse(url.path, end_date, seed, scale)
    with tempfile.TemporaryDirectory(prefix="chatbi-load-") as tmp:
        source = Path(tmp) / "demo.duckdb"
        counts = build_demo_warehouse(source, end_date, seed, scale)
        copy_demo_tables(source, url, Path(tmp))
    return counts


def copy_demo_tables(source: Path, url: WarehouseUrl, folder: Path) -> None:
    """The demo tables of the DuckDB file ``source`` into the engine of ``url`` (replacing them)."""
    files = _export_csv(source, folder)
    if url.engine == "postgresql":
        _load_postgres(url, files)
    elif url.engine == "chdb":
        _load_chdb(url.path, files)
    elif url.engine == "clickhouse":
        _load_clickhouse(url, files)
    else:
        raise AssertionError(url.engine)


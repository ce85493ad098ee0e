"""Write the simulated shop into a DuckDB file, streaming batches through CSV files so memory
stays bounded at any scale. The file appears only when complete (built aside, then renamed)."""

from __future__ import annotations

import csv
import datetime as dt
import os
import tempfile
from collections.abc import Iterable
from itertools import islice
from pathlib import Path

import duckdb

from service.demo_data.simulate import Batch, ShopSimulation
from service.demo_data.vocabulary import CHANNELS, PRODUCTS

MONEY = "DECIMAL(12,2)"
BATCH_CUSTOMERS = 2_000  # simulated at a time (their rows in memory)
CHUNK_CUSTOMERS = 100_000  # loaded at a time: one transaction, whose primary-key index stays in memory
SCHEMA: dict[str, tuple[tuple[str, str], ...]] = {
    "customers": (("customer_id", "BIGINT PRIMARY KEY"), ("gender", "VARCHAR"),
                  ("birth_date", "DATE"), ("province", "VARCHAR"), ("city", "VARCHAR"),
                  ("occupation", "VARCHAR"), ("segment", "VARCHAR"),
                  ("register_time", "TIMESTAMP"), ("register_channel", "VARCHAR"),
                  ("member_level", "VARCHAR")),
    "channels": (("channel_id", "INTEGER PRIMARY KEY"), ("channel_name", "VARCHAR"),
                 ("channel_type", "VARCHAR")),
    "products": (("product_id", "INTEGER PRIMARY KEY"), ("product_name", "VARCHAR"),
                 ("category", "VARCHAR"), ("list_price", MONEY), ("unit_cost", MONEY),
                 ("launch_date", "DATE")),
    "orders": (("order_id", "BIGINT PRIMARY KEY"), ("customer_id", "BIGINT"),
               ("channel_id", "INTEGER"), ("campaign_id", "INTEGER"), ("order_time", "TIMESTAMP"),
               ("pay_time", "TIMESTAMP"), ("status", "VARCHAR"), ("province", "VARCHAR"),
               ("city", "VARCHAR"), ("item_amount", MONEY), ("discount_amount", MONEY),
               ("paid_amount", MONEY), ("coupon_id", "BIGINT")),
    "order_items": (("order_id", "BIGINT"), ("line_no", "INTEGER"), ("product_id", "INTEGER"),
                    ("quantity", "INTEGER"), ("unit_price", MONEY), ("line_amount", MONEY)),
    "events": (("event_id", "BIGINT PRIMARY KEY"), ("customer_id", "BIGINT"),
               ("session_id", "BIGINT"), ("channel_id", "INTEGER"), ("product_id", "INTEGER"),
               ("event_type", "VARCHAR"), ("event_time", "TIMESTAMP")),
    "campaigns": (("campaign_id", "INTEGER PRIMARY KEY"), ("campaign_name", "VARCHAR"),
                  ("campaign_type", "VARCHAR"), ("channel_id", "INTEGER"),
                  ("start_date", "DATE"), ("end_date", "DATE")),
    "marketing_spend": (("spend_date", "DATE"), ("channel_id", "INTEGER"),
                        ("campaign_id", "INTEGER"), ("spend", MONEY)),
    "coupons": (("coupon_id", "BIGINT PRIMARY KEY"), ("customer_id", "BIGINT"),
                ("campaign_id", "INTEGER"), ("coupon_type", "VARCHAR"), ("threshold", MONEY),
                ("face_value", MONEY), ("issued_time", "TIMESTAMP"), ("expire_time", "TIMESTAMP"),
                ("redeemed_time", "TIMESTAMP"), ("redeemed_order_id", "BIGINT")),
    "reviews": (("review_id", "BIGINT PRIMARY KEY"), ("order_id", "BIGINT"),
                ("customer_id", "BIGINT"), ("product_id", "INTEGER"), ("rating", "INTEGER"),
                ("content", "VARCHAR"), ("created_time", "TIMESTAMP")),
    "ab_assignments": (("test_id", "INTEGER"), ("test_name", "VARCHAR"), ("campaign_id", "INTEGER"),
                       ("customer_id", "BIGINT"), ("variant", "VARCHAR"), ("assigned_time", "TIMESTAMP")),
}


def _insert_csv(con: duckdb.DuckDBPyConnection, table: str, path: Path) -> None:
    """Load one table's CSV file; money arrives as integer cents and becomes DECIMAL here."""
    read_types = {name: "BIGINT" if kind == MONEY else kind.replace(" PRIMARY KEY", "")
                  for name, kind in SCHEMA[table]}
    select = ", ".join(f"CAST({name} / 100 AS {MONEY})" if kind == MONEY else name
                       for name, kind in SCHEMA[table])
    con.execute(f"INSERT INTO {table} SELECT {select} FROM read_csv(?, header=false, "
                f"columns={read_types!r}, nullstr='', quote='\"')", [str(path)])


def _load_parts(con: duckdb.DuckDBPyConnection, folder: Path, tables: Iterable[str],
                parts: Iterable[dict[str, Iterable[tuple]]]) -> bool:
    """Write the rows of ``parts`` (each: rows by table) to one CSV file per table, then load the
    files (one transaction each) and delete them; whether there were any parts."""
    paths = {table: folder / f"{table}.csv" for table in tables}
    handles = {table: path.open("w", newline="", encoding="utf-8") for table, path in paths.items()}
    writers = {table: csv.writer(handle) for table, handle in handles.items()}
    loaded = False
    for part in parts:
        loaded = True
        for table, writer in writers.items():
            writer.writerows(part[table])
    for handle in handles.values():
        handle.close()
    for table, path in paths.items():
        if loaded:
            _insert_csv(con, table, path)
        path.unlink()
    return loaded


def build_demo_warehouse(out: Path, end_date: dt.date, seed: int = 7, scale: float = 1.0) -> dict[str, int]:
    """Build the demo warehouse at ``out``; return the row count of every table.

    Rows stream batch by batch into one CSV file per table, loaded by DuckDB's parallel CSV reader
    every ``CHUNK_CUSTOMERS`` customers and deleted: memory and temporary disk stay bounded at any
    scale (one INSERT keeps its rows' primary-key index in memory until it commits; 94 M events in
    one ran out of 512 MB)."""
    simulation = ShopSimulation(seed, end_date, scale)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".building")
    partial.unlink(missing_ok=True)
    con = duckdb.connect(str(partial), config={"memory_limit": "512MB"})  # spills to disk beyond this
    try:
        for table, cols in SCHEMA.items():
            con.execute(f"CREATE TABLE {table} ({', '.join(f'{n} {k}' for n, k in cols)})")
        with tempfile.TemporaryDirectory(prefix="chatbi-demo-") as tmp:
            folder = Path(tmp)
            fixed = {"channels": [c[:3] for c in CHANNELS],
                     "products": [(p.product_id, p.name, p.category, p.list_price_cents, p.unit_cost_cents,
                                   simulation.first_day + dt.timedelta(days=p.launch_offset_days)) for p in PRODUCTS],
                     "campaigns": [(c.campaign_id, c.name, c.campaign_type, c.channel_id, c.start, c.end)
                                   for c in simulation.campaigns]}
            _load_parts(con, folder, fixed, [fixed])
            batches = simulation.batches(BATCH_CUSTOMERS)
            chunk = CHUNK_CUSTOMERS // BATCH_CUSTOMERS
            while _load_parts(con, folder, Batch.__dataclass_fields__, map(vars, islice(batches, chunk))):
                pass
            _load_parts(con, folder, ["marketing_spend"], [{"marketing_spend": simulation.marketing_spend()}])
        counts = {t: con.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in SCHEMA}
        con.execute("CHECKPOINT")
    finally:
        con.close()
    os.replace(partial, out)
    return counts

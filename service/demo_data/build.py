"""Write the simulated shop into a DuckDB file, streaming batches through CSV files so memory
stays bounded at any scale. The file appears only when complete (built aside, then renamed)."""

from __future__ import annotations

import csv
import datetime as dt
import os
import tempfile
from pathlib import Path

import duckdb

from service.demo_data.simulate import Batch, ShopSimulation
from service.demo_data.vocabulary import CHANNELS, PRODUCTS

MONEY = "DECIMAL(12,2)"
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


def build_demo_warehouse(out: Path, end_date: dt.date, seed: int = 7, scale: float = 1.0) -> dict[str, int]:
    """Build the demo warehouse at ``out``; return the row count of every table.

    Rows stream batch by batch into one CSV file per table (memory stays bounded at any scale);
    DuckDB then loads each file once with its parallel CSV reader."""
    simulation = ShopSimulation(seed, end_date, scale)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".building")
    partial.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="chatbi-demo-") as tmp:
        folder = Path(tmp)
        files = {table: (folder / f"{table}.csv").open("w", newline="", encoding="utf-8") for table in SCHEMA}
        writers = {table: csv.writer(handle) for table, handle in files.items()}
        writers["channels"].writerows(c[:3] for c in CHANNELS)
        writers["products"].writerows(
            (p.product_id, p.name, p.category, p.list_price_cents, p.unit_cost_cents,
             simulation.first_day + dt.timedelta(days=p.launch_offset_days)) for p in PRODUCTS)
        writers["campaigns"].writerows((c.campaign_id, c.name, c.campaign_type, c.channel_id, c.start, c.end)
                                       for c in simulation.campaigns)
        for batch in simulation.batches():
            for table in Batch.__dataclass_fields__:
                writers[table].writerows(getattr(batch, table))
        writers["marketing_spend"].writerows(simulation.marketing_spend())
        for handle in files.values():
            handle.close()
        con = duckdb.connect(str(partial), config={"memory_limit": "512MB"})  # spills to disk beyond this
        try:
            for table, cols in SCHEMA.items():
                con.execute(f"CREATE TABLE {table} ({', '.join(f'{n} {k}' for n, k in cols)})")
                _insert_csv(con, table, folder / f"{table}.csv")
            counts = {t: con.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in SCHEMA}
            con.execute("CHECKPOINT")
        finally:
            con.close()
    os.replace(partial, out)
    return counts

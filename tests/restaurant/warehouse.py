"""The restaurant chain's warehouse, generated in DuckDB itself: 8 stores, 20 dishes, 2,000 members and
about 30,000 tickets from 2024-01-01 to the end date, deterministic for a seed (pseudo-random values
come from hashing the row number with the seed)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

STORES = (("成都春熙路店", "成都", "正餐"), ("成都太古里店", "成都", "快餐"), ("重庆解放碑店", "重庆", "正餐"),
          ("上海人民广场店", "上海", "正餐"), ("上海徐家汇店", "上海", "档口"), ("杭州西湖店", "杭州", "快餐"),
          ("南京新街口店", "南京", "正餐"), ("北京国贸店", "北京", "快餐"))
DISHES = (("扬州炒饭", "主食", 28), ("红烧牛肉面", "主食", 32), ("鲜肉水饺", "主食", 26), ("麻婆豆腐", "热菜", 38),
          ("宫保鸡丁", "热菜", 46), ("水煮鱼", "热菜", 88), ("回锅肉", "热菜", 52), ("拍黄瓜", "凉菜", 18),
          ("口水鸡", "凉菜", 42), ("夫妻肺片", "凉菜", 48), ("龙抄手", "小吃", 22), ("糖油果子", "小吃", 16),
          ("钟水饺", "小吃", 20), ("珍珠奶茶", "饮品", 15), ("酸梅汤", "饮品", 12), ("柠檬茶", "饮品", 14),
          ("芒果布丁", "甜品", 18), ("红糖冰粉", "甜品", 12), ("双皮奶", "甜品", 16), ("担担面", "主食", 24))
START = dt.date(2024, 1, 1)
TICKETS_PER_DAY = 55


def build(path: Path, end_date: dt.date, seed: int = 11) -> Path:
    """Write the warehouse to ``path`` (replacing it) with tickets up to and including ``end_date``."""
    path.unlink(missing_ok=True)
    days = (end_date - START).days + 1
    with duckdb.connect(str(path)) as db:
        db.execute("CREATE TABLE stores (store_id INTEGER PRIMARY KEY, store_name VARCHAR, city VARCHAR, "
                   "store_format VARCHAR)")
        db.executemany("INSERT INTO stores VALUES (?, ?, ?, ?)", [(i + 1, *s) for i, s in enumerate(STORES)])
        db.execute("CREATE TABLE dishes (dish_id INTEGER PRIMARY KEY, dish_name VARCHAR, dish_category VARCHAR, "
                   "price DECIMAL(10, 2))")
        db.executemany("INSERT INTO dishes VALUES (?, ?, ?, ?)", [(i + 1, *d) for i, d in enumerate(DISHES)])
        db.execute(f"""
            CREATE TABLE members AS SELECT i::INTEGER AS member_id,
                CASE WHEN hash(i, {seed}, 'gender') % 3 = 0 THEN '男' ELSE '女' END AS gender,
                CASE hash(i, {seed}, 'tier') % 10 WHEN 0 THEN '金卡' WHEN 1 THEN '银卡' WHEN 2 THEN '银卡'
                     ELSE '普通会员' END AS member_tier,
                DATE '2023-01-01' + (hash(i, {seed}, 'joined') % 900)::INTEGER AS joined_on
            FROM range(1, 2001) AS r(i)""")
        db.execute(f"""
            CREATE TABLE ticket_heads AS SELECT i::INTEGER AS ticket_id,
                (1 + hash(i, {seed}, 'store') % {len(STORES)})::INTEGER AS store_id,
                CASE WHEN hash(i, {seed}, 'member') % 10 < 4 THEN (1 + hash(i, {seed}, 'who') % 2000)::INTEGER
                     END AS member_id,
                TIMESTAMP '{START}' + to_days((hash(i, {seed}, 'day') % {days})::INTEGER)
                    + to_minutes((600 + hash(i, {seed}, 'minute') % 720)::INTEGER) AS opened_at,
                CASE WHEN hash(i, {seed}, 'service') % 10 < 6 THEN '堂食'
                     WHEN hash(i, {seed}, 'service') % 10 < 9 THEN '外卖' ELSE '自提' END AS service_type,
                (1 + hash(i, {seed}, 'party') % 6)::INTEGER AS party_size,
                CASE hash(i, {seed}, 'status') % 50 WHEN 0 THEN 'voided' WHEN 1 THEN 'refunded' WHEN 2 THEN 'refunded'
                     ELSE 'settled' END AS status
            FROM range(1, {days * TICKETS_PER_DAY + 1}) AS r(i)""")
        db.execute(f"""
            CREATE TABLE ticket_lines AS SELECT h.ticket_id, l.line_no::INTEGER AS line_no,
                (1 + hash(h.ticket_id, l.line_no, {seed}, 'dish') % {len(DISHES)})::INTEGER AS dish_id,
                (1 + hash(h.ticket_id, l.line_no, {seed}, 'qty') % 3)::INTEGER AS quantity,
                NULL::DECIMAL(12, 2) AS line_amount
            FROM ticket_heads AS h, range(1, 5) AS l(line_no)
            WHERE l.line_no <= 1 + hash(h.ticket_id, {seed}, 'lines') % 4""")
        db.execute("UPDATE ticket_lines SET line_amount = quantity * d.price FROM dishes AS d "
                   "WHERE d.dish_id = ticket_lines.dish_id")
        db.execute("""
            CREATE TABLE tickets AS SELECT h.*, s.amount FROM ticket_heads AS h JOIN (
                SELECT ticket_id, SUM(line_amount)::DECIMAL(12, 2) AS amount FROM ticket_lines GROUP BY 1
            ) AS s USING (ticket_id)""")
        db.execute("DROP TABLE ticket_heads")
    return path

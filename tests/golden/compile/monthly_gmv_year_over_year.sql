-- query: {"metrics": ["gmv"], "dimensions": [{"name": "date", "grain": "month"}], "time_range": {"start": "2025-01-01", "end": "2025-07-01"}, "compare": "same_period_last_year"}
WITH agg_paid_orders AS (
  SELECT
    CAST(DATE_TRUNC('MONTH', orders.pay_time) AS DATE) AS "date",
    SUM(orders.paid_amount) AS "paid_amount"
  FROM orders AS orders
  WHERE
    NOT orders.pay_time IS NULL
    AND orders.pay_time >= CAST('2025-01-01 00:00:00' AS TIMESTAMP)
    AND orders.pay_time < CAST('2025-07-01 00:00:00' AS TIMESTAMP)
  GROUP BY
    CAST(DATE_TRUNC('MONTH', orders.pay_time) AS DATE)
), agg_paid_orders_previous AS (
  SELECT
    CAST(DATE_TRUNC('MONTH', orders.pay_time + INTERVAL '1' YEAR) AS DATE) AS "date",
    SUM(orders.paid_amount) AS "paid_amount"
  FROM orders AS orders
  WHERE
    NOT orders.pay_time IS NULL
    AND orders.pay_time >= CAST('2024-01-01 00:00:00' AS TIMESTAMP)
    AND orders.pay_time < CAST('2024-07-01 00:00:00' AS TIMESTAMP)
  GROUP BY
    CAST(DATE_TRUNC('MONTH', orders.pay_time + INTERVAL '1' YEAR) AS DATE)
)
SELECT
  COALESCE(agg_paid_orders."date", agg_paid_orders_previous."date") AS "date",
  agg_paid_orders."paid_amount" AS "gmv",
  agg_paid_orders_previous."paid_amount" AS "gmv__previous",
  agg_paid_orders."paid_amount" - agg_paid_orders_previous."paid_amount" AS "gmv__difference",
  CAST(agg_paid_orders."paid_amount" - agg_paid_orders_previous."paid_amount" AS DOUBLE) / NULLIF(agg_paid_orders_previous."paid_amount", 0) AS "gmv__change"
FROM agg_paid_orders
FULL OUTER JOIN agg_paid_orders_previous
  ON agg_paid_orders."date" IS NOT DISTINCT FROM agg_paid_orders_previous."date"
WHERE
  NOT agg_paid_orders."paid_amount" IS NULL
ORDER BY
  "date" ASC

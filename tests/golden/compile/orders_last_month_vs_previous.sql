-- query: {"metrics": ["order_count"], "time_range": {"expression": "上个月"}, "compare": "previous_period"}
WITH agg_paid_orders AS (
  SELECT
    COUNT(DISTINCT orders.order_id) AS "orders"
  FROM orders AS orders
  WHERE
    NOT orders.pay_time IS NULL
    AND orders.pay_time >= CAST('2025-06-01 00:00:00' AS TIMESTAMP)
    AND orders.pay_time < CAST('2025-07-01 00:00:00' AS TIMESTAMP)
), agg_paid_orders_previous AS (
  SELECT
    COUNT(DISTINCT orders.order_id) AS "orders"
  FROM orders AS orders
  WHERE
    NOT orders.pay_time IS NULL
    AND orders.pay_time >= CAST('2025-05-01 00:00:00' AS TIMESTAMP)
    AND orders.pay_time < CAST('2025-06-01 00:00:00' AS TIMESTAMP)
)
SELECT
  COALESCE(agg_paid_orders."orders", 0) AS "order_count",
  COALESCE(agg_paid_orders_previous."orders", 0) AS "order_count__previous",
  COALESCE(agg_paid_orders."orders", 0) - COALESCE(agg_paid_orders_previous."orders", 0) AS "order_count__difference",
  CAST(COALESCE(agg_paid_orders."orders", 0) - COALESCE(agg_paid_orders_previous."orders", 0) AS DOUBLE) / NULLIF(COALESCE(agg_paid_orders_previous."orders", 0), 0) AS "order_count__change"
FROM agg_paid_orders
CROSS JOIN agg_paid_orders_previous
WHERE
  NOT COALESCE(agg_paid_orders."orders", 0) IS NULL

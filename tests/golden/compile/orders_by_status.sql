-- query: {"metrics": ["order_count"], "dimensions": ["order_status"], "time_range": {"expression": "本月"}}
WITH agg_paid_orders AS (
  SELECT
    orders.status AS "order_status",
    COUNT(DISTINCT orders.order_id) AS "orders"
  FROM orders AS orders
  WHERE
    orders.order_time >= CAST('2025-07-01 00:00:00' AS TIMESTAMP)
    AND orders.order_time < CAST('2025-07-02 00:00:00' AS TIMESTAMP)
  GROUP BY
    orders.status
)
SELECT
  agg_paid_orders."order_status" AS "order_status",
  agg_paid_orders."orders" AS "order_count"
FROM agg_paid_orders
ORDER BY
  "order_count" DESC,
  "order_status" ASC

-- query: {"metrics": ["repurchase_rate"], "dimensions": ["segment"]}
WITH agg_paid_orders_repeat_buyers AS (
  SELECT
    entities."segment",
    COUNT(*) AS "repeat_buyers"
  FROM (
    SELECT
      customers.segment AS "segment",
      orders.customer_id AS entity
    FROM orders AS orders
    JOIN customers AS customers
      ON orders.customer_id = customers.customer_id
    WHERE
      NOT orders.pay_time IS NULL
    GROUP BY
      customers.segment,
      orders.customer_id
    HAVING
      COUNT(DISTINCT orders.order_id) >= 2
  ) AS entities
  GROUP BY
    entities."segment"
), agg_paid_orders AS (
  SELECT
    customers.segment AS "segment",
    COUNT(DISTINCT orders.customer_id) AS "buyers"
  FROM orders AS orders
  JOIN customers AS customers
    ON orders.customer_id = customers.customer_id
  WHERE
    NOT orders.pay_time IS NULL
  GROUP BY
    customers.segment
)
SELECT
  COALESCE(agg_paid_orders_repeat_buyers."segment", agg_paid_orders."segment") AS "segment",
  CAST(COALESCE(agg_paid_orders_repeat_buyers."repeat_buyers", 0) AS DOUBLE) / NULLIF(COALESCE(agg_paid_orders."buyers", 0), 0) AS "repurchase_rate"
FROM agg_paid_orders_repeat_buyers
FULL OUTER JOIN agg_paid_orders
  ON agg_paid_orders_repeat_buyers."segment" IS NOT DISTINCT FROM agg_paid_orders."segment"
WHERE
  NOT CAST(COALESCE(agg_paid_orders_repeat_buyers."repeat_buyers", 0) AS DOUBLE) / NULLIF(COALESCE(agg_paid_orders."buyers", 0), 0) IS NULL
ORDER BY
  "repurchase_rate" DESC,
  "segment" ASC

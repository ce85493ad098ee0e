-- query: {"metrics": ["gmv"], "dimensions": ["product"], "limit": 5}
WITH agg_paid_orders AS (
  SELECT
    bridge."product" AS "product",
    SUM(orders.paid_amount) AS "paid_amount"
  FROM orders AS orders
  JOIN (
    SELECT DISTINCT
      order_items.order_id AS "key_0",
      products.product_name AS "product"
    FROM order_items AS order_items
    JOIN products AS products
      ON order_items.product_id = products.product_id
  ) AS bridge
    ON bridge."key_0" = orders.order_id
  WHERE
    NOT orders.pay_time IS NULL
  GROUP BY
    bridge."product"
)
SELECT
  agg_paid_orders."product" AS "product",
  agg_paid_orders."paid_amount" AS "gmv"
FROM agg_paid_orders
ORDER BY
  "gmv" DESC,
  "product" ASC
LIMIT 5

-- query: {"metrics": ["product_sales"], "dimensions": ["product"], "having": [{"metric": "product_sales", "op": ">", "value": 100000}], "order_by": [{"field": "product_sales", "direction": "desc"}], "limit": 3}
WITH agg_paid_order_lines AS (
  SELECT
    products.product_name AS "product",
    SUM(order_items.line_amount) AS "line_amount"
  FROM order_items AS order_items
  JOIN products AS products
    ON order_items.product_id = products.product_id
  JOIN orders AS orders
    ON order_items.order_id = orders.order_id
  WHERE
    NOT orders.pay_time IS NULL
  GROUP BY
    products.product_name
)
SELECT
  agg_paid_order_lines."product" AS "product",
  agg_paid_order_lines."line_amount" AS "product_sales"
FROM agg_paid_order_lines
WHERE
  agg_paid_order_lines."line_amount" > 100000.0
ORDER BY
  "product_sales" DESC,
  "product" ASC
LIMIT 3

-- query: {"metrics": ["gmv", "units_sold"], "dimensions": ["channel"], "filters": [{"dimension": "category", "value": "精华"}]}
WITH agg_paid_orders AS (
  SELECT
    channels.channel_name AS "channel",
    SUM(orders.paid_amount) AS "paid_amount"
  FROM orders AS orders
  JOIN channels AS channels
    ON orders.channel_id = channels.channel_id
  WHERE
    orders.order_id IN (
      SELECT
        order_items.order_id
      FROM order_items AS order_items
      JOIN products AS products
        ON order_items.product_id = products.product_id
      WHERE
        products.category = '精华'
    )
    AND NOT orders.pay_time IS NULL
  GROUP BY
    channels.channel_name
), agg_paid_order_lines AS (
  SELECT
    channels.channel_name AS "channel",
    SUM(order_items.quantity) AS "units"
  FROM order_items AS order_items
  JOIN orders AS orders
    ON order_items.order_id = orders.order_id
  JOIN channels AS channels
    ON orders.channel_id = channels.channel_id
  JOIN products AS products
    ON order_items.product_id = products.product_id
  WHERE
    NOT orders.pay_time IS NULL AND products.category = '精华'
  GROUP BY
    channels.channel_name
)
SELECT
  COALESCE(agg_paid_orders."channel", agg_paid_order_lines."channel") AS "channel",
  agg_paid_orders."paid_amount" AS "gmv",
  agg_paid_order_lines."units" AS "units_sold"
FROM agg_paid_orders
FULL OUTER JOIN agg_paid_order_lines
  ON agg_paid_orders."channel" IS NOT DISTINCT FROM agg_paid_order_lines."channel"
WHERE
  NOT agg_paid_orders."paid_amount" IS NULL
  OR NOT agg_paid_order_lines."units" IS NULL
ORDER BY
  "gmv" DESC,
  "channel" ASC

-- query: {"metrics": ["gmv"], "dimensions": ["channel"]}
WITH agg_paid_orders AS (
  SELECT
    channels.channel_name AS "channel",
    SUM(orders.paid_amount) AS "paid_amount"
  FROM orders AS orders
  JOIN channels AS channels
    ON orders.channel_id = channels.channel_id
  WHERE
    NOT orders.pay_time IS NULL
  GROUP BY
    channels.channel_name
)
SELECT
  agg_paid_orders."channel" AS "channel",
  agg_paid_orders."paid_amount" AS "gmv"
FROM agg_paid_orders
ORDER BY
  "gmv" DESC,
  "channel" ASC

-- query: {"metrics": ["roi"], "dimensions": ["channel"], "time_range": {"expression": "去年"}}
WITH agg_paid_orders AS (
  SELECT
    channels.channel_name AS "channel",
    SUM(orders.paid_amount) AS "paid_amount"
  FROM orders AS orders
  JOIN channels AS channels
    ON orders.channel_id = channels.channel_id
  WHERE
    NOT orders.pay_time IS NULL
    AND orders.pay_time >= CAST('2024-01-01 00:00:00' AS TIMESTAMP)
    AND orders.pay_time < CAST('2025-01-01 00:00:00' AS TIMESTAMP)
  GROUP BY
    channels.channel_name
), agg_marketing_spend AS (
  SELECT
    channels.channel_name AS "channel",
    SUM(marketing_spend.spend) AS "spend"
  FROM marketing_spend AS marketing_spend
  JOIN channels AS channels
    ON marketing_spend.channel_id = channels.channel_id
  WHERE
    marketing_spend.spend_date >= CAST('2024-01-01' AS DATE)
    AND marketing_spend.spend_date < CAST('2025-01-01' AS DATE)
  GROUP BY
    channels.channel_name
)
SELECT
  COALESCE(agg_paid_orders."channel", agg_marketing_spend."channel") AS "channel",
  CAST(agg_paid_orders."paid_amount" AS DOUBLE) / NULLIF(agg_marketing_spend."spend", 0) AS "roi"
FROM agg_paid_orders
FULL OUTER JOIN agg_marketing_spend
  ON agg_paid_orders."channel" IS NOT DISTINCT FROM agg_marketing_spend."channel"
WHERE
  NOT CAST(agg_paid_orders."paid_amount" AS DOUBLE) / NULLIF(agg_marketing_spend."spend", 0) IS NULL
ORDER BY
  "roi" DESC,
  "channel" ASC

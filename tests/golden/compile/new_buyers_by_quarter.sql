-- query: {"metrics": ["new_buyer_count"], "dimensions": [{"name": "date", "grain": "quarter"}], "time_range": {"expression": "去年"}}
WITH first_purchases AS (
  SELECT
    f.customer_id,
    f.first_pay_time,
    f.channel_id,
    ch.channel_name AS first_channel
  FROM (
    SELECT
      customer_id,
      MIN(pay_time) AS first_pay_time,
      ARG_MIN(channel_id, pay_time) AS channel_id
    FROM orders
    WHERE
      NOT pay_time IS NULL
    GROUP BY
      customer_id
  ) AS f
  JOIN channels AS ch
    ON ch.channel_id = f.channel_id
), agg_first_purchases AS (
  SELECT
    CAST(DATE_TRUNC('QUARTER', first_purchases.first_pay_time) AS DATE) AS "date",
    COUNT(DISTINCT first_purchases.customer_id) AS "first_time_buyers"
  FROM first_purchases AS first_purchases
  WHERE
    first_purchases.first_pay_time >= CAST('2024-01-01 00:00:00' AS TIMESTAMP)
    AND first_purchases.first_pay_time < CAST('2025-01-01 00:00:00' AS TIMESTAMP)
  GROUP BY
    CAST(DATE_TRUNC('QUARTER', first_purchases.first_pay_time) AS DATE)
)
SELECT
  agg_first_purchases."date" AS "date",
  agg_first_purchases."first_time_buyers" AS "new_buyer_count"
FROM agg_first_purchases
ORDER BY
  "date" ASC

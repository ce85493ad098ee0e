-- query: {"metrics": ["buyer_count"], "dimensions": ["rfm_segment"]}
WITH customer_rfm AS (
  SELECT
    customer_id,
    CASE
      WHEN r_high AND f_high AND m_high
      THEN '重要价值客户'
      WHEN r_high AND NOT f_high AND m_high
      THEN '重要发展客户'
      WHEN NOT r_high AND f_high AND m_high
      THEN '重要保持客户'
      WHEN NOT r_high AND NOT f_high AND m_high
      THEN '重要挽留客户'
      WHEN r_high AND f_high
      THEN '一般价值客户'
      WHEN r_high AND NOT f_high
      THEN '一般发展客户'
      WHEN NOT r_high AND f_high
      THEN '一般保持客户'
      ELSE '一般挽留客户'
    END AS rfm_segment
  FROM (
    SELECT
      customer_id,
      r <= AVG(r) OVER () AS r_high,
      f >= AVG(f) OVER () AS f_high,
      m >= AVG(m) OVER () AS m_high
    FROM (
      SELECT
        customer_id,
        DATE_DIFF('DAY', CAST(MAX(pay_time) AS DATE), CAST('2025-07-01' AS DATE)) AS r,
        COUNT(DISTINCT order_id) AS f,
        SUM(paid_amount) AS m
      FROM orders
      WHERE
        NOT pay_time IS NULL AND pay_time < CAST('2025-07-01' AS DATE)
      GROUP BY
        customer_id
    ) AS rfm_values
  ) AS rfm_flags
), agg_paid_orders AS (
  SELECT
    customer_rfm.rfm_segment AS "rfm_segment",
    COUNT(DISTINCT orders.customer_id) AS "buyers"
  FROM orders AS orders
  JOIN customers AS customers
    ON orders.customer_id = customers.customer_id
  JOIN customer_rfm AS customer_rfm
    ON customers.customer_id = customer_rfm.customer_id
  WHERE
    NOT orders.pay_time IS NULL
  GROUP BY
    customer_rfm.rfm_segment
)
SELECT
  agg_paid_orders."rfm_segment" AS "rfm_segment",
  agg_paid_orders."buyers" AS "buyer_count"
FROM agg_paid_orders
ORDER BY
  "buyer_count" DESC,
  "rfm_segment" ASC

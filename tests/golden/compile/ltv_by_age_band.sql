-- query: {"metrics": ["ltv"], "dimensions": ["age_band"]}
WITH agg_paid_orders AS (
  SELECT
    CASE
      WHEN EXTRACT(YEAR FROM AGE(CAST('2025-07-01' AS DATE), customers.birth_date)) < 25.0
      THEN '18-24'
      WHEN EXTRACT(YEAR FROM AGE(CAST('2025-07-01' AS DATE), customers.birth_date)) < 30.0
      THEN '25-29'
      WHEN EXTRACT(YEAR FROM AGE(CAST('2025-07-01' AS DATE), customers.birth_date)) < 35.0
      THEN '30-34'
      WHEN EXTRACT(YEAR FROM AGE(CAST('2025-07-01' AS DATE), customers.birth_date)) < 40.0
      THEN '35-39'
      ELSE '40+'
    END AS "age_band",
    SUM(orders.paid_amount) AS "paid_amount",
    COUNT(DISTINCT orders.customer_id) AS "buyers"
  FROM orders AS orders
  JOIN customers AS customers
    ON orders.customer_id = customers.customer_id
  WHERE
    NOT orders.pay_time IS NULL
  GROUP BY
    CASE
      WHEN EXTRACT(YEAR FROM AGE(CAST('2025-07-01' AS DATE), customers.birth_date)) < 25.0
      THEN '18-24'
      WHEN EXTRACT(YEAR FROM AGE(CAST('2025-07-01' AS DATE), customers.birth_date)) < 30.0
      THEN '25-29'
      WHEN EXTRACT(YEAR FROM AGE(CAST('2025-07-01' AS DATE), customers.birth_date)) < 35.0
      THEN '30-34'
      WHEN EXTRACT(YEAR FROM AGE(CAST('2025-07-01' AS DATE), customers.birth_date)) < 40.0
      THEN '35-39'
      ELSE '40+'
    END
)
SELECT
  agg_paid_orders."age_band" AS "age_band",
  CAST(agg_paid_orders."paid_amount" AS DOUBLE) / NULLIF(agg_paid_orders."buyers", 0) AS "ltv"
FROM agg_paid_orders
ORDER BY
  "ltv" DESC,
  "age_band" ASC

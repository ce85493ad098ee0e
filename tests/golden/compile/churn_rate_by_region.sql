-- query: {"metrics": ["churn_rate"], "dimensions": ["region"]}
WITH last_purchases AS (
  SELECT
    customer_id,
    CAST(MAX(pay_time) AS DATE) AS last_pay_date
  FROM orders
  WHERE
    NOT pay_time IS NULL AND pay_time < CAST('2025-07-01' AS DATE)
  GROUP BY
    customer_id
), agg_last_purchases AS (
  SELECT
    CASE
      WHEN customers.province IN ('上海', '江苏', '浙江', '安徽', '福建', '江西', '山东')
      THEN '华东'
      WHEN customers.province IN ('北京', '天津', '河北', '山西', '内蒙古')
      THEN '华北'
      WHEN customers.province IN ('广东', '广西', '海南')
      THEN '华南'
      WHEN customers.province IN ('湖北', '湖南', '河南')
      THEN '华中'
      WHEN customers.province IN ('重庆', '四川', '贵州', '云南', '西藏')
      THEN '西南'
      WHEN customers.province IN ('陕西', '甘肃', '青海', '宁夏', '新疆')
      THEN '西北'
      WHEN customers.province IN ('辽宁', '吉林', '黑龙江')
      THEN '东北'
    END AS "region",
    COUNT(
      DISTINCT CASE
        WHEN DATE_DIFF('DAY', last_purchases.last_pay_date, CAST('2025-07-01' AS DATE)) > 90
        THEN last_purchases.customer_id
      END
    ) AS "churned_buyers",
    COUNT(DISTINCT last_purchases.customer_id) AS "ever_buyers"
  FROM last_purchases AS last_purchases
  JOIN customers AS customers
    ON last_purchases.customer_id = customers.customer_id
  GROUP BY
    CASE
      WHEN customers.province IN ('上海', '江苏', '浙江', '安徽', '福建', '江西', '山东')
      THEN '华东'
      WHEN customers.province IN ('北京', '天津', '河北', '山西', '内蒙古')
      THEN '华北'
      WHEN customers.province IN ('广东', '广西', '海南')
      THEN '华南'
      WHEN customers.province IN ('湖北', '湖南', '河南')
      THEN '华中'
      WHEN customers.province IN ('重庆', '四川', '贵州', '云南', '西藏')
      THEN '西南'
      WHEN customers.province IN ('陕西', '甘肃', '青海', '宁夏', '新疆')
      THEN '西北'
      WHEN customers.province IN ('辽宁', '吉林', '黑龙江')
      THEN '东北'
    END
)
SELECT
  agg_last_purchases."region" AS "region",
  CAST(agg_last_purchases."churned_buyers" AS DOUBLE) / NULLIF(agg_last_purchases."ever_buyers", 0) AS "churn_rate"
FROM agg_last_purchases
ORDER BY
  "churn_rate" DESC,
  "region" ASC

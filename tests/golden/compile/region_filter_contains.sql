-- query: {"metrics": ["gmv"], "filters": [{"dimension": "region", "op": "in", "value": ["华东", "华南"]}, {"dimension": "product", "op": "contains", "value": "玻色因"}]}
WITH agg_paid_orders AS (
  SELECT
    SUM(orders.paid_amount) AS "paid_amount"
  FROM orders AS orders
  WHERE
    orders.order_id IN (
      SELECT
        order_items.order_id
      FROM order_items AS order_items
      JOIN products AS products
        ON order_items.product_id = products.product_id
      WHERE
        STRPOS(products.product_name, '玻色因') > 0
    )
    AND (
      NOT orders.pay_time IS NULL
      AND orders.province IN ('上海', '江苏', '浙江', '安徽', '福建', '江西', '山东', '广东', '广西', '海南')
    )
)
SELECT
  agg_paid_orders."paid_amount" AS "gmv"
FROM agg_paid_orders

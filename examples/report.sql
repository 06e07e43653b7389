-- Orders per customer in the last 30 days: `dbdesign explain - < examples/report.sql`
SELECT c.email, count(*) AS orders
FROM customers AS c
JOIN orders AS o ON o.customer_id = c.id
WHERE o.placed_at >= now() - interval '30 days'
GROUP BY c.email
ORDER BY orders DESC
LIMIT 10

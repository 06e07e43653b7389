-- What the shop (examples/shop_mysql.sql) runs on MySQL / MariaDB, weighted by how often:
-- `dbdesign advise examples/shop_queries_mysql.sql --db mysql://...`.

-- calls: 5000
SELECT id, status, placed_at FROM orders WHERE customer_id = 42 ORDER BY placed_at DESC LIMIT 20;

-- calls: 800
SELECT id, name FROM customers WHERE email = 'someone@example.com';

-- calls: 200
SELECT o.id, c.email FROM orders o JOIN customers c ON c.id = o.customer_id
WHERE o.status = 'paid' AND o.placed_at < NOW() - INTERVAL 2 DAY;

-- calls: 50
SELECT p.sku, SUM(i.quantity) FROM order_items i JOIN products p ON p.id = i.product_id
GROUP BY p.sku ORDER BY 2 DESC LIMIT 10;

-- calls: 300
INSERT INTO orders (customer_id, status) VALUES (42, 'new');

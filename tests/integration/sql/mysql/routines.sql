-- Views, triggers, procedures and functions; DELIMITER in its mysqldump and hand-written forms.
CREATE DATABASE IF NOT EXISTS shop;
USE shop;

CREATE TABLE product (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(100) NOT NULL,
  price DECIMAL(10,2) NOT NULL DEFAULT 0,
  stock INT NOT NULL DEFAULT 0,
  active BOOLEAN NOT NULL DEFAULT TRUE,
  updated_at TIMESTAMP NULL
);

CREATE TABLE sale (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  product_id INT UNSIGNED NOT NULL,
  qty INT NOT NULL,
  sold_at DATETIME NOT NULL,
  CONSTRAINT fk_sale_product FOREIGN KEY (product_id) REFERENCES shop.product (id)
);

CREATE TABLE audit_log (
  id BIGINT AUTO_INCREMENT PRIMARY KEY,
  message VARCHAR(200) NOT NULL,
  at DATETIME DEFAULT CURRENT_TIMESTAMP
);

-- Single-table views: unqualified columns, the database's qualifier, aliases, expressions.
CREATE VIEW active_products AS
  SELECT id, name, price * 1.2 AS gross, `stock` FROM product WHERE active AND stock > 0;

CREATE OR REPLACE VIEW shop.cheap (product, price) AS
  SELECT name, price FROM shop.product WHERE price BETWEEN 0 AND 10 OR name LIKE 'x%'
  WITH CHECK OPTION;

CREATE ALGORITHM = MERGE SQL SECURITY INVOKER VIEW counts AS
  SELECT COUNT(*), COUNT(DISTINCT name) AS names, LENGTH(MAX(name)) AS longest,
         IFNULL(SUM(stock), 0) AS stock_total, NOW() AS at
  FROM product;

CREATE ALGORITHM = MERGE VIEW priced AS SELECT id, name FROM product WHERE price > 0;

CREATE DEFINER = CURRENT_USER VIEW sales_per_product AS
  SELECT p.id, p.name AS product, SUM(s.qty) AS sold,
         CASE WHEN SUM(s.qty) > 100 THEN _utf8mb4'hot' ELSE 'normal' END AS label
  FROM product AS p
  INNER JOIN sale s ON (s.product_id = p.id)
  LEFT OUTER JOIN audit_log a ON a.message = p.name
  WHERE s.sold_at >= '2020-01-01' AND (p.price > 0 OR p.stock <> 0)
  GROUP BY p.id, p.name
  HAVING sold > 0
  ORDER BY sold DESC, product;

CREATE ALGORITHM = TEMPTABLE VIEW top_product AS
  SELECT product, sold FROM sales_per_product WHERE sold = (SELECT MAX(sold) FROM sales_per_product);

CREATE VIEW named_products AS SELECT id, name FROM active_products WHERE name <> ''
  WITH LOCAL CHECK OPTION;

-- Triggers: a single statement, a compound one in DELIMITER //, a version comment as mysqldump
-- writes them.
CREATE TRIGGER product_touch BEFORE UPDATE ON product FOR EACH ROW SET NEW.updated_at = NOW();

DELIMITER //
CREATE TRIGGER sale_stock AFTER INSERT ON sale
FOR EACH ROW
BEGIN
  UPDATE product SET stock = stock - NEW.qty WHERE id = NEW.product_id;
  IF (SELECT stock FROM product WHERE id = NEW.product_id) < 0 THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'out of stock; sale refused';
  END IF;
END //
DELIMITER ;

DELIMITER ;;
/*!50003 CREATE*/ /*!50017 DEFINER=`root`@`localhost`*/ /*!50003 TRIGGER `sale_log` AFTER DELETE ON `sale` FOR EACH ROW BEGIN
  INSERT INTO audit_log (message) VALUES (CONCAT('sale ', OLD.id, ' deleted'));
END */;;
DELIMITER ;

CREATE TRIGGER sale_check BEFORE INSERT ON sale FOR EACH ROW SET NEW.qty = GREATEST(NEW.qty, 1);
CREATE TRIGGER sale_when BEFORE INSERT ON sale FOR EACH ROW FOLLOWS sale_check
  SET NEW.sold_at = COALESCE(NEW.sold_at, NOW());

-- Routines.
DELIMITER $$
CREATE FUNCTION net_price(p_price DECIMAL(10,2), p_rate DOUBLE) RETURNS DECIMAL(10,2)
    DETERMINISTIC
    NO SQL
    COMMENT 'price without tax'
BEGIN
  # a hash comment; with a ; inside
  RETURN p_price / (1 + p_rate); -- and a dash comment
END $$

CREATE DEFINER = `root`@`localhost` PROCEDURE restock(IN p_id INT UNSIGNED, INOUT p_qty INT, OUT p_total INT)
    MODIFIES SQL DATA
    SQL SECURITY INVOKER
BEGIN
  UPDATE product SET stock = stock + p_qty WHERE id = p_id;
  SELECT stock INTO p_total FROM product WHERE id = p_id;
END$$

CREATE FUNCTION is_cheap(p_id INT) RETURNS BOOLEAN READS SQL DATA
  RETURN (SELECT price < 10 FROM product WHERE id = p_id)$$

CREATE PROCEDURE noop() BEGIN END$$
DELIMITER ;

CREATE PROCEDURE IF NOT EXISTS noop() SELECT 1;

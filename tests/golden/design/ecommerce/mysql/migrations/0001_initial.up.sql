CREATE TABLE `categories` (
  `id` bigint NOT NULL AUTO_INCREMENT,
  `parent_id` bigint NULL,
  `name` varchar(100) NOT NULL,
  `slug` varchar(100) NOT NULL,
  `created_at` datetime(6) NOT NULL DEFAULT current_timestamp(6),
  `updated_at` datetime(6) NOT NULL DEFAULT current_timestamp(6) ON UPDATE current_timestamp(6),
  PRIMARY KEY (`id`),
  UNIQUE KEY `uq_categories_slug` (`slug`),
  KEY `idx_categories_parent_id` (`parent_id`),
  CONSTRAINT `fk_categories_parent_id` FOREIGN KEY (`parent_id`) REFERENCES `categories` (`id`),
  CONSTRAINT `chk_categories_name` CHECK (char_length(name) >= 1),
  CONSTRAINT `chk_categories_slug` CHECK (char_length(slug) >= 1)
) COMMENT='A node of the catalogue tree.';

CREATE TABLE `customers` (
  `id` bigint NOT NULL AUTO_INCREMENT,
  `email` varchar(254) NOT NULL COMMENT 'Sign-in address. PII: personal data; encrypt at rest.',
  `full_name` varchar(200) NOT NULL COMMENT 'PII: personal data; encrypt at rest.',
  `password_hash` varchar(255) NOT NULL,
  `phone` varchar(16) NULL COMMENT 'PII: personal data; encrypt at rest.',
  `country` char(2) NOT NULL,
  `marketing_opt_in` tinyint(1) NOT NULL DEFAULT 0,
  `created_at` datetime(6) NOT NULL DEFAULT current_timestamp(6),
  `updated_at` datetime(6) NOT NULL DEFAULT current_timestamp(6) ON UPDATE current_timestamp(6),
  PRIMARY KEY (`id`),
  UNIQUE KEY `uq_customers_email` (`email`),
  CONSTRAINT `chk_customers_country` CHECK (country regexp '(?-i)^[A-Z]{2}$'),
  CONSTRAINT `chk_customers_email` CHECK (email regexp '^[^@[:space:]]+@[^@[:space:]]+[.][^@[:space:]]+$'),
  CONSTRAINT `chk_customers_full_name` CHECK (char_length(full_name) >= 1),
  CONSTRAINT `chk_customers_password_hash` CHECK (char_length(password_hash) >= 20),
  CONSTRAINT `chk_customers_phone` CHECK (phone regexp '^[+][1-9][0-9]{6,14}$')
) COMMENT='A person who can sign in and place orders.';

CREATE TABLE `products` (
  `id` bigint NOT NULL AUTO_INCREMENT,
  `sku` varchar(32) NOT NULL,
  `name` varchar(200) NOT NULL,
  `description` text NULL,
  `price` decimal(12,2) NOT NULL COMMENT 'Amount in EUR.',
  `status` varchar(12) NOT NULL DEFAULT 'draft',
  `created_at` datetime(6) NOT NULL DEFAULT current_timestamp(6),
  `updated_at` datetime(6) NOT NULL DEFAULT current_timestamp(6) ON UPDATE current_timestamp(6),
  PRIMARY KEY (`id`),
  UNIQUE KEY `uq_products_sku` (`sku`),
  FULLTEXT KEY `idx_products_name_description` (`name`, `description`),
  KEY `idx_products_status_price` (`status`, `price`),
  CONSTRAINT `chk_products_name` CHECK (char_length(name) >= 1),
  CONSTRAINT `chk_products_price` CHECK (price >= 0),
  CONSTRAINT `chk_products_sku` CHECK (char_length(sku) >= 1),
  CONSTRAINT `chk_products_status` CHECK (status in ('draft', 'active', 'discontinued'))
) COMMENT='Something for sale.';

CREATE TABLE `orders` (
  `id` bigint NOT NULL AUTO_INCREMENT,
  `customer_id` bigint NOT NULL,
  `status` varchar(9) NOT NULL DEFAULT 'pending',
  `total` decimal(12,2) NOT NULL COMMENT 'Amount in EUR.',
  `placed_at` datetime(6) NOT NULL,
  `shipping_country` char(2) NOT NULL,
  `created_at` datetime(6) NOT NULL DEFAULT current_timestamp(6),
  `updated_at` datetime(6) NOT NULL DEFAULT current_timestamp(6) ON UPDATE current_timestamp(6),
  PRIMARY KEY (`id`),
  KEY `idx_orders_customer_id_placed_at` (`customer_id`, `placed_at`, `status`, `total`),
  KEY `idx_orders_placed_at` (`placed_at`, `total`),
  KEY `idx_orders_status_placed_at` (`status`, `placed_at`),
  CONSTRAINT `fk_orders_customer_id` FOREIGN KEY (`customer_id`) REFERENCES `customers` (`id`),
  CONSTRAINT `chk_orders_shipping_country` CHECK (shipping_country regexp '(?-i)^[A-Z]{2}$'),
  CONSTRAINT `chk_orders_status` CHECK (status in ('pending', 'paid', 'shipped', 'delivered', 'cancelled')),
  CONSTRAINT `chk_orders_total` CHECK (total >= 0)
) COMMENT='A customer''s purchase of one or more products.';

CREATE TABLE `inventory_levels` (
  `id` bigint NOT NULL AUTO_INCREMENT,
  `product_id` bigint NOT NULL,
  `warehouse` varchar(20) NOT NULL,
  `quantity_on_hand` int NOT NULL,
  `reorder_level` int NOT NULL DEFAULT 0,
  `version` int NOT NULL DEFAULT 1,
  `created_at` datetime(6) NOT NULL DEFAULT current_timestamp(6),
  `updated_at` datetime(6) NOT NULL DEFAULT current_timestamp(6) ON UPDATE current_timestamp(6),
  PRIMARY KEY (`id`),
  UNIQUE KEY `uq_inventory_levels_product_id_warehouse` (`product_id`, `warehouse`),
  CONSTRAINT `fk_inventory_levels_product_id` FOREIGN KEY (`product_id`) REFERENCES `products` (`id`) ON DELETE CASCADE,
  CONSTRAINT `chk_inventory_levels_quantity_on_hand` CHECK (quantity_on_hand >= 0),
  CONSTRAINT `chk_inventory_levels_reorder_level` CHECK (reorder_level >= 0),
  CONSTRAINT `chk_inventory_levels_warehouse` CHECK (char_length(warehouse) >= 1)
) COMMENT='Stock on hand for a product in a warehouse.';

CREATE TABLE `product_categories` (
  `product_id` bigint NOT NULL,
  `category_id` bigint NOT NULL,
  `display_order` int NOT NULL DEFAULT 0 COMMENT 'Order within the category.',
  `created_at` datetime(6) NOT NULL DEFAULT current_timestamp(6),
  `updated_at` datetime(6) NOT NULL DEFAULT current_timestamp(6) ON UPDATE current_timestamp(6),
  PRIMARY KEY (`product_id`, `category_id`),
  KEY `idx_product_categories_category_id` (`category_id`),
  CONSTRAINT `fk_product_categories_category_id` FOREIGN KEY (`category_id`) REFERENCES `categories` (`id`) ON DELETE CASCADE,
  CONSTRAINT `fk_product_categories_product_id` FOREIGN KEY (`product_id`) REFERENCES `products` (`id`) ON DELETE CASCADE,
  CONSTRAINT `chk_product_categories_display_order` CHECK (display_order >= 0)
) COMMENT='The categories a product is listed in.';

CREATE TABLE `order_items` (
  `id` bigint NOT NULL AUTO_INCREMENT,
  `order_id` bigint NOT NULL,
  `product_id` bigint NOT NULL,
  `quantity` smallint NOT NULL,
  `unit_price` decimal(12,2) NOT NULL COMMENT 'Amount in EUR.',
  `created_at` datetime(6) NOT NULL DEFAULT current_timestamp(6),
  `updated_at` datetime(6) NOT NULL DEFAULT current_timestamp(6) ON UPDATE current_timestamp(6),
  PRIMARY KEY (`id`),
  UNIQUE KEY `uq_order_items_order_id_product_id` (`order_id`, `product_id`),
  KEY `idx_order_items_product_id` (`product_id`),
  CONSTRAINT `fk_order_items_order_id` FOREIGN KEY (`order_id`) REFERENCES `orders` (`id`) ON DELETE CASCADE,
  CONSTRAINT `fk_order_items_product_id` FOREIGN KEY (`product_id`) REFERENCES `products` (`id`),
  CONSTRAINT `chk_order_items_quantity` CHECK (quantity >= 1 AND quantity <= 1000),
  CONSTRAINT `chk_order_items_unit_price` CHECK (unit_price >= 0)
) COMMENT='One product line of an order.';

CREATE TABLE `payments` (
  `id` bigint NOT NULL AUTO_INCREMENT,
  `order_id` bigint NOT NULL,
  `amount` decimal(12,2) NOT NULL COMMENT 'Amount in EUR.',
  `provider` varchar(13) NOT NULL,
  `provider_reference` varchar(100) NOT NULL,
  `status` varchar(9) NOT NULL DEFAULT 'initiated',
  `created_at` datetime(6) NOT NULL DEFAULT current_timestamp(6),
  `updated_at` datetime(6) NOT NULL DEFAULT current_timestamp(6) ON UPDATE current_timestamp(6),
  PRIMARY KEY (`id`),
  UNIQUE KEY `uq_payments_provider_reference` (`provider_reference`),
  KEY `idx_payments_order_id` (`order_id`),
  CONSTRAINT `fk_payments_order_id` FOREIGN KEY (`order_id`) REFERENCES `orders` (`id`),
  CONSTRAINT `chk_payments_amount` CHECK (amount >= 0),
  CONSTRAINT `chk_payments_provider` CHECK (provider in ('card', 'paypal', 'bank_transfer')),
  CONSTRAINT `chk_payments_provider_reference` CHECK (char_length(provider_reference) >= 1),
  CONSTRAINT `chk_payments_status` CHECK (status in ('initiated', 'succeeded', 'failed', 'refunded'))
) COMMENT='A payment attempt for an order.';

-- Every kind of constraint and column the MySQL loader handles, for tests/integration/
-- test_datagen.py (kept out of sql/mysql/, whose files the reader convergence tests use).

CREATE TABLE region (
  id smallint unsigned NOT NULL AUTO_INCREMENT,
  code char(3) NOT NULL,
  name varchar(60) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_region_code (code),
  CONSTRAINT chk_region_code CHECK (code regexp '(?-i)^[A-Z]{3}$')
);

CREATE TABLE customer (
  id bigint NOT NULL AUTO_INCREMENT,
  region_id smallint unsigned NOT NULL,
  referred_by bigint NULL,
  email varchar(254) NOT NULL,
  name varchar(100) NOT NULL,
  vip tinyint(1) NOT NULL DEFAULT 0,
  tier enum('bronze', 'silver', 'gold') NOT NULL DEFAULT 'bronze',
  tags set('new', 'b2b', 'press') NULL,
  birth_year year NULL,
  country char(2) NULL,
  ip varchar(45) NULL,
  external_id binary(16) NOT NULL,
  settings json NULL,
  flags bit(4) NULL,
  created_at datetime(6) NOT NULL DEFAULT current_timestamp(6),
  seen_at timestamp NULL,
  deleted_at datetime(6) NULL,
  not_deleted tinyint GENERATED ALWAYS AS (if(deleted_at is null, 1, null)) STORED,
  email_domain varchar(254) GENERATED ALWAYS AS (substring_index(email, '@', -1)) VIRTUAL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_customer_email (email, not_deleted),
  UNIQUE KEY uq_customer_external_id (external_id),
  KEY idx_customer_email_domain (email_domain),
  CONSTRAINT fk_customer_region FOREIGN KEY (region_id) REFERENCES region (id),
  CONSTRAINT fk_customer_referred_by FOREIGN KEY (referred_by) REFERENCES customer (id),
  CONSTRAINT chk_customer_email CHECK (email regexp '^[^@[:space:]]+@[^@[:space:]]+[.][^@[:space:]]+$'),
  CONSTRAINT chk_customer_name CHECK (char_length(name) >= 2),
  CONSTRAINT chk_customer_country CHECK (country regexp '(?-i)^[A-Z]{2}$'),
  CONSTRAINT chk_customer_ip CHECK (ip is null or is_ipv4(ip) or is_ipv6(ip)),
  CONSTRAINT chk_customer_birth_year CHECK (birth_year between 1920 and 2010)
);

CREATE TABLE product (
  id int unsigned NOT NULL AUTO_INCREMENT,
  sku varchar(20) NOT NULL,
  title varchar(200) NOT NULL,
  description text NULL,
  price decimal(10,2) unsigned NOT NULL,
  weight double NULL,
  rating float NULL,
  stock mediumint NOT NULL DEFAULT 0,
  status varchar(12) NOT NULL DEFAULT 'draft',
  available_from date NULL,
  available_until date NULL,
  opens time NULL,
  thumbnail varbinary(64) NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_product_sku (sku),
  FULLTEXT KEY ft_product (title, description),
  CONSTRAINT chk_product_sku CHECK (sku like 'SKU-%'),
  CONSTRAINT chk_product_price CHECK (price > 0 and price < 10000),
  CONSTRAINT chk_product_stock CHECK (stock >= 0),
  CONSTRAINT chk_product_status CHECK (status in ('draft', 'active', 'discontinued')),
  CONSTRAINT chk_product_dates CHECK (available_until > available_from)
);

CREATE TABLE `order` (
  id bigint NOT NULL AUTO_INCREMENT,
  customer_id bigint NOT NULL,
  `number` int NOT NULL,
  total decimal(12,2) NOT NULL,
  note tinytext NULL,
  placed_at datetime NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_order_customer_number (customer_id, `number`),
  CONSTRAINT fk_order_customer FOREIGN KEY (customer_id) REFERENCES customer (id) ON DELETE CASCADE,
  CONSTRAINT chk_order_total CHECK (total >= 0),
  CONSTRAINT chk_order_number CHECK (`number` between 1 and 100000)
);

CREATE TABLE order_line (
  order_id bigint NOT NULL,
  product_id int unsigned NOT NULL,
  quantity smallint NOT NULL,
  unit_price decimal(10,2) NOT NULL,
  line_total decimal(12,2) GENERATED ALWAYS AS (quantity * unit_price) STORED,
  PRIMARY KEY (order_id, product_id),
  CONSTRAINT fk_order_line_order FOREIGN KEY (order_id) REFERENCES `order` (id) ON DELETE CASCADE,
  CONSTRAINT fk_order_line_product FOREIGN KEY (product_id) REFERENCES product (id),
  CONSTRAINT chk_order_line_quantity CHECK (quantity between 1 and 50)
);

-- a cycle: a team's captain is one of its players
CREATE TABLE team (
  id int NOT NULL AUTO_INCREMENT,
  name varchar(40) NOT NULL,
  captain_id int NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_team_name (name)
);

CREATE TABLE player (
  id int NOT NULL AUTO_INCREMENT,
  team_id int NOT NULL,
  nick varchar(30) NOT NULL,
  PRIMARY KEY (id),
  CONSTRAINT fk_player_team FOREIGN KEY (team_id) REFERENCES team (id)
);

ALTER TABLE team ADD CONSTRAINT fk_team_captain FOREIGN KEY (captain_id) REFERENCES player (id);

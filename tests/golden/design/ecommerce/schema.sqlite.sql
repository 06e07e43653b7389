CREATE TABLE categories (
    id integer NOT NULL,
    parent_id integer,
    name text NOT NULL,
    slug text NOT NULL,
    created_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT pk_categories PRIMARY KEY (id),
    CONSTRAINT uq_categories_slug UNIQUE (slug),
    CONSTRAINT chk_categories_name CHECK (length(name) >= 1 AND length(name) <= 100),
    CONSTRAINT chk_categories_slug CHECK (length(slug) >= 1 AND length(slug) <= 100),
    CONSTRAINT fk_categories_parent_id FOREIGN KEY (parent_id) REFERENCES categories (id) ON DELETE RESTRICT
);

CREATE TABLE customers (
    id integer NOT NULL,
    email text NOT NULL,
    full_name text NOT NULL,
    password_hash text NOT NULL,
    phone text,
    country text NOT NULL,
    marketing_opt_in integer NOT NULL DEFAULT 0,
    created_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT pk_customers PRIMARY KEY (id),
    CONSTRAINT uq_customers_email UNIQUE (email),
    CONSTRAINT chk_customers_country CHECK (country GLOB '[A-Z][A-Z]'),
    CONSTRAINT chk_customers_email CHECK (length(email) <= 254 AND email LIKE '%_@_%._%' AND email = lower(email)),
    CONSTRAINT chk_customers_full_name CHECK (length(full_name) >= 1 AND length(full_name) <= 200),
    CONSTRAINT chk_customers_marketing_opt_in CHECK (marketing_opt_in IN (0, 1)),
    CONSTRAINT chk_customers_password_hash CHECK (length(password_hash) >= 20 AND length(password_hash) <= 255),
    CONSTRAINT chk_customers_phone CHECK (phone GLOB '+[1-9]*')
);

CREATE TABLE products (
    id integer NOT NULL,
    sku text NOT NULL,
    name text NOT NULL,
    description text,
    price numeric(12,2) NOT NULL,
    status text NOT NULL DEFAULT 'draft',
    created_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT pk_products PRIMARY KEY (id),
    CONSTRAINT uq_products_sku UNIQUE (sku),
    CONSTRAINT chk_products_name CHECK (length(name) >= 1 AND length(name) <= 200),
    CONSTRAINT chk_products_price CHECK (price >= 0),
    CONSTRAINT chk_products_sku CHECK (length(sku) >= 1 AND length(sku) <= 32),
    CONSTRAINT chk_products_status CHECK (status IN ('draft', 'active', 'discontinued'))
);

CREATE TABLE orders (
    id integer NOT NULL,
    customer_id integer NOT NULL,
    status text NOT NULL DEFAULT 'pending',
    total numeric(12,2) NOT NULL,
    placed_at text NOT NULL,
    shipping_country text NOT NULL,
    created_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT pk_orders PRIMARY KEY (id),
    CONSTRAINT chk_orders_shipping_country CHECK (shipping_country GLOB '[A-Z][A-Z]'),
    CONSTRAINT chk_orders_status CHECK (status IN ('pending', 'paid', 'shipped', 'delivered', 'cancelled')),
    CONSTRAINT chk_orders_total CHECK (total >= 0),
    CONSTRAINT fk_orders_customer_id FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE RESTRICT
);

CREATE TABLE inventory_levels (
    id integer NOT NULL,
    product_id integer NOT NULL,
    warehouse text NOT NULL,
    quantity_on_hand integer NOT NULL,
    reorder_level integer NOT NULL DEFAULT 0,
    version integer NOT NULL DEFAULT 1,
    created_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT pk_inventory_levels PRIMARY KEY (id),
    CONSTRAINT uq_inventory_levels_product_id_warehouse UNIQUE (product_id, warehouse),
    CONSTRAINT chk_inventory_levels_quantity_on_hand CHECK (quantity_on_hand >= 0),
    CONSTRAINT chk_inventory_levels_reorder_level CHECK (reorder_level >= 0),
    CONSTRAINT chk_inventory_levels_warehouse CHECK (length(warehouse) >= 1 AND length(warehouse) <= 20),
    CONSTRAINT fk_inventory_levels_product_id FOREIGN KEY (product_id) REFERENCES products (id) ON DELETE CASCADE
);

CREATE TABLE product_categories (
    product_id integer NOT NULL,
    category_id integer NOT NULL,
    display_order integer NOT NULL DEFAULT 0,
    created_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT pk_product_categories PRIMARY KEY (product_id, category_id),
    CONSTRAINT chk_product_categories_display_order CHECK (display_order >= 0),
    CONSTRAINT fk_product_categories_category_id FOREIGN KEY (category_id) REFERENCES categories (id) ON DELETE CASCADE,
    CONSTRAINT fk_product_categories_product_id FOREIGN KEY (product_id) REFERENCES products (id) ON DELETE CASCADE
);

CREATE TABLE order_items (
    id integer NOT NULL,
    order_id integer NOT NULL,
    product_id integer NOT NULL,
    quantity integer NOT NULL,
    unit_price numeric(12,2) NOT NULL,
    created_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT pk_order_items PRIMARY KEY (id),
    CONSTRAINT uq_order_items_order_id_product_id UNIQUE (order_id, product_id),
    CONSTRAINT chk_order_items_quantity CHECK (quantity >= 1 AND quantity <= 1000),
    CONSTRAINT chk_order_items_unit_price CHECK (unit_price >= 0),
    CONSTRAINT fk_order_items_order_id FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE CASCADE,
    CONSTRAINT fk_order_items_product_id FOREIGN KEY (product_id) REFERENCES products (id) ON DELETE RESTRICT
);

CREATE TABLE payments (
    id integer NOT NULL,
    order_id integer NOT NULL,
    amount numeric(12,2) NOT NULL,
    provider text NOT NULL,
    provider_reference text NOT NULL,
    status text NOT NULL DEFAULT 'initiated',
    created_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT pk_payments PRIMARY KEY (id),
    CONSTRAINT uq_payments_provider_reference UNIQUE (provider_reference),
    CONSTRAINT chk_payments_amount CHECK (amount >= 0),
    CONSTRAINT chk_payments_provider CHECK (provider IN ('card', 'paypal', 'bank_transfer')),
    CONSTRAINT chk_payments_provider_reference CHECK (length(provider_reference) >= 1 AND length(provider_reference) <= 100),
    CONSTRAINT chk_payments_status CHECK (status IN ('initiated', 'succeeded', 'failed', 'refunded')),
    CONSTRAINT fk_payments_order_id FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE RESTRICT
);

CREATE VIRTUAL TABLE products_fts USING fts5(name, description, content='products', content_rowid='id');

CREATE INDEX idx_categories_parent_id ON categories (parent_id);

CREATE INDEX idx_products_price_active ON products (price) WHERE status = 'active';

CREATE INDEX idx_orders_customer_id_placed_at ON orders (customer_id, placed_at);

CREATE INDEX idx_orders_placed_at ON orders (placed_at);

CREATE INDEX idx_orders_placed_at_paid ON orders (placed_at) WHERE status = 'paid';

CREATE INDEX idx_product_categories_category_id ON product_categories (category_id);

CREATE INDEX idx_order_items_product_id ON order_items (product_id);

CREATE INDEX idx_payments_order_id ON payments (order_id);

CREATE TRIGGER trg_categories_set_updated_at AFTER UPDATE ON categories
FOR EACH ROW
WHEN NEW.updated_at IS OLD.updated_at
BEGIN
    UPDATE categories SET updated_at = CURRENT_TIMESTAMP WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER trg_customers_set_updated_at AFTER UPDATE ON customers
FOR EACH ROW
WHEN NEW.updated_at IS OLD.updated_at
BEGIN
    UPDATE customers SET updated_at = CURRENT_TIMESTAMP WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER trg_inventory_levels_set_updated_at AFTER UPDATE ON inventory_levels
FOR EACH ROW
WHEN NEW.updated_at IS OLD.updated_at
BEGIN
    UPDATE inventory_levels SET updated_at = CURRENT_TIMESTAMP WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER trg_order_items_set_updated_at AFTER UPDATE ON order_items
FOR EACH ROW
WHEN NEW.updated_at IS OLD.updated_at
BEGIN
    UPDATE order_items SET updated_at = CURRENT_TIMESTAMP WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER trg_orders_set_updated_at AFTER UPDATE ON orders
FOR EACH ROW
WHEN NEW.updated_at IS OLD.updated_at
BEGIN
    UPDATE orders SET updated_at = CURRENT_TIMESTAMP WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER trg_payments_set_updated_at AFTER UPDATE ON payments
FOR EACH ROW
WHEN NEW.updated_at IS OLD.updated_at
BEGIN
    UPDATE payments SET updated_at = CURRENT_TIMESTAMP WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER trg_product_categories_set_updated_at AFTER UPDATE ON product_categories
FOR EACH ROW
WHEN NEW.updated_at IS OLD.updated_at
BEGIN
    UPDATE product_categories SET updated_at = CURRENT_TIMESTAMP WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER trg_products_fts_delete AFTER DELETE ON products
FOR EACH ROW
BEGIN
    INSERT INTO products_fts(products_fts, rowid, name, description) VALUES ('delete', OLD.id, OLD.name, OLD.description);
END;

CREATE TRIGGER trg_products_fts_insert AFTER INSERT ON products
FOR EACH ROW
BEGIN
    INSERT INTO products_fts(rowid, name, description) VALUES (NEW.id, NEW.name, NEW.description);
END;

CREATE TRIGGER trg_products_fts_update AFTER UPDATE OF id, name, description ON products
FOR EACH ROW
BEGIN
    INSERT INTO products_fts(products_fts, rowid, name, description) VALUES ('delete', OLD.id, OLD.name, OLD.description);
    INSERT INTO products_fts(rowid, name, description) VALUES (NEW.id, NEW.name, NEW.description);
END;

CREATE TRIGGER trg_products_set_updated_at AFTER UPDATE ON products
FOR EACH ROW
WHEN NEW.updated_at IS OLD.updated_at
BEGIN
    UPDATE products SET updated_at = CURRENT_TIMESTAMP WHERE rowid = NEW.rowid;
END;

-- The shop of examples/shop.sql in MySQL / MariaDB: customers place orders of products.
-- Used by the MySQL examples of `dbdesign explain --help` and docs/optimise.md.

CREATE TABLE customers (
    id         bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,
    email      varchar(255) NOT NULL UNIQUE,
    name       varchar(100) NOT NULL,
    created_at datetime NOT NULL DEFAULT CURRENT_TIMESTAMP
) ENGINE=InnoDB;

CREATE TABLE products (
    id          bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,
    sku         varchar(40) NOT NULL UNIQUE,
    name        varchar(100) NOT NULL,
    price_cents int NOT NULL CHECK (price_cents >= 0)
) ENGINE=InnoDB;

CREATE TABLE orders (
    id          bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,
    customer_id bigint NOT NULL,
    status      varchar(10) NOT NULL DEFAULT 'new'
                CHECK (status IN ('new', 'paid', 'shipped', 'cancelled')),
    placed_at   datetime NOT NULL DEFAULT CURRENT_TIMESTAMP,
    KEY orders_customer_id_placed_at_idx (customer_id, placed_at),
    CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES customers (id)
) ENGINE=InnoDB;

CREATE TABLE order_items (
    order_id    bigint NOT NULL,
    product_id  bigint NOT NULL,
    quantity    int NOT NULL CHECK (quantity > 0),
    price_cents int NOT NULL CHECK (price_cents >= 0),
    PRIMARY KEY (order_id, product_id),
    KEY order_items_product_id_idx (product_id),
    CONSTRAINT order_items_order_id_fkey FOREIGN KEY (order_id) REFERENCES orders (id)
        ON DELETE CASCADE,
    CONSTRAINT order_items_product_id_fkey FOREIGN KEY (product_id) REFERENCES products (id)
) ENGINE=InnoDB;

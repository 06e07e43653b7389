CREATE SCHEMA shop;
COMMENT ON SCHEMA shop IS 'the shop';
GRANT USAGE ON SCHEMA shop TO dbdesign_diff_reader;
CREATE TYPE shop.status AS ENUM ('new', 'paid', 'shipped');
CREATE DOMAIN shop.money_amount AS numeric(12, 2) CONSTRAINT money_amount_check CHECK (VALUE >= 0);
CREATE TYPE shop.address AS (street text, city text);
CREATE SEQUENCE shop.invoice_no START 1000;
CREATE FUNCTION shop.touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated := now();
    RETURN NEW;
END
$$;
CREATE FUNCTION shop.net(gross shop.money_amount) RETURNS numeric LANGUAGE sql IMMUTABLE
    AS 'SELECT gross / 1.21';
CREATE TABLE shop.customer (
    id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text NOT NULL CONSTRAINT customer_email_key UNIQUE,
    addr shop.address,
    updated timestamp with time zone,
    CONSTRAINT customer_email_check CHECK (email LIKE '%@%')
);
COMMENT ON TABLE shop.customer IS 'customers';
CREATE TABLE shop.orders (
    id serial,
    customer_id integer REFERENCES shop.customer ON DELETE CASCADE,
    placed date NOT NULL,
    status shop.status NOT NULL DEFAULT 'new',
    total shop.money_amount,
    net numeric GENERATED ALWAYS AS (shop.net(total)) STORED,
    invoice bigint DEFAULT nextval('shop.invoice_no'),
    PRIMARY KEY (id, placed)
) PARTITION BY RANGE (placed);
CREATE TABLE shop.orders_2024 PARTITION OF shop.orders FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE shop.orders_rest PARTITION OF shop.orders DEFAULT;
CREATE INDEX orders_customer ON shop.orders (customer_id, placed DESC);
CREATE TABLE shop.room (id integer PRIMARY KEY, booked tstzrange,
    CONSTRAINT room_no_overlap EXCLUDE USING gist (booked WITH &&));
CREATE TABLE shop.item (id integer PRIMARY KEY, name text);
CREATE TABLE shop.gift_item (wrapping text) INHERITS (shop.item);
CREATE UNIQUE INDEX item_lower_name ON shop.item (lower(name)) INCLUDE (id) WHERE name IS NOT NULL;
CREATE VIEW shop.open_orders AS SELECT id, customer_id, total FROM shop.orders WHERE status = 'new';
CREATE MATERIALIZED VIEW shop.totals AS
    SELECT customer_id, sum(total) AS total FROM shop.orders GROUP BY customer_id;
CREATE INDEX totals_customer ON shop.totals (customer_id);
CREATE TRIGGER customer_touch BEFORE UPDATE ON shop.customer FOR EACH ROW EXECUTE FUNCTION shop.touch();
CREATE RULE item_no_delete AS ON DELETE TO shop.item DO INSTEAD NOTHING;
ALTER TABLE shop.customer ENABLE ROW LEVEL SECURITY;
CREATE POLICY customer_self ON shop.customer FOR SELECT TO dbdesign_diff_reader USING (email = current_user);
GRANT SELECT ON shop.open_orders TO dbdesign_diff_reader;
GRANT SELECT, INSERT ON shop.customer TO dbdesign_diff_writer;
GRANT USAGE ON SEQUENCE shop.invoice_no TO dbdesign_diff_writer;
COMMENT ON COLUMN shop.orders.total IS 'gross';
COMMENT ON INDEX shop.orders_customer IS 'by customer';

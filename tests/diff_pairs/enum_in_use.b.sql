CREATE TYPE status AS ENUM ('new', 'pending', 'paid', 'shipped', 'cancelled');
COMMENT ON TYPE status IS 'order status';
CREATE TABLE orders (
    id integer PRIMARY KEY,
    st status NOT NULL DEFAULT 'pending',
    history status[] DEFAULT '{}',
    CONSTRAINT orders_not_lost CHECK (st <> 'cancelled')
);
CREATE INDEX orders_open ON orders (id) WHERE st <> 'shipped';
CREATE VIEW open_orders AS SELECT id, st FROM orders WHERE st = 'new';
CREATE FUNCTION is_done(s status) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT s = ''shipped''';

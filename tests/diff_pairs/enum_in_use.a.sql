-- an enum used by columns (plain, NOT NULL with default, array), a partial index, a check, a
-- view and a function argument gains and loses values at the same time
CREATE TYPE status AS ENUM ('new', 'paid', 'shipped', 'lost');
COMMENT ON TYPE status IS 'order status';
CREATE TABLE orders (
    id integer PRIMARY KEY,
    st status NOT NULL DEFAULT 'new',
    history status[] DEFAULT '{}',
    CONSTRAINT orders_not_lost CHECK (st <> 'lost')
);
CREATE INDEX orders_open ON orders (id) WHERE st <> 'shipped';
CREATE VIEW open_orders AS SELECT id, st FROM orders WHERE st = 'new';
CREATE FUNCTION is_done(s status) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT s = ''shipped''';

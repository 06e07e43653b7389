-- ALTER TABLE, CREATE/DROP INDEX, RENAME, DROP, CREATE TABLE LIKE and IF [NOT] EXISTS, in the
-- order a migration history would apply them.

CREATE TABLE accounts (
  id INT NOT NULL,
  email VARCHAR(100),
  status VARCHAR(10) DEFAULT 'new',
  legacy INT,
  PRIMARY KEY (id)
);

CREATE TABLE IF NOT EXISTS accounts (id INT);

ALTER TABLE accounts
  ADD COLUMN created DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP AFTER id,
  ADD first_col INT FIRST,
  ADD (nick VARCHAR(20), score INT DEFAULT 0),
  ADD UNIQUE KEY uq_email (email),
  ADD INDEX (status),
  DROP COLUMN legacy,
  ALGORITHM = COPY;

ALTER TABLE accounts
  ADD CONSTRAINT ck_score CHECK (score >= 0),
  MODIFY status VARCHAR(20) NOT NULL DEFAULT 'active' COMMENT 'lifecycle',
  CHANGE nick nickname VARCHAR(30) CHARACTER SET latin1,
  ALTER COLUMN score SET DEFAULT 10,
  ALGORITHM = COPY, LOCK = SHARED;

ALTER TABLE accounts ADD COLUMN IF NOT EXISTS score INT;
ALTER TABLE accounts DROP COLUMN IF EXISTS nothing_here;
ALTER TABLE accounts RENAME COLUMN first_col TO sort_key, RENAME INDEX status TO ix_status;
ALTER TABLE accounts ALTER COLUMN email DROP DEFAULT;
ALTER TABLE accounts COMMENT = 'user accounts', ENGINE = InnoDB, ROW_FORMAT = DYNAMIC;

CREATE TABLE orders (
  id INT AUTO_INCREMENT PRIMARY KEY,
  account_id INT,
  total DECIMAL(10,2)
);

ALTER TABLE orders ADD CONSTRAINT fk_orders_account FOREIGN KEY (account_id) REFERENCES accounts (id) ON DELETE CASCADE;
ALTER TABLE orders ADD FOREIGN KEY (account_id) REFERENCES accounts (id);
CREATE INDEX ix_orders_total ON orders (total);
CREATE UNIQUE INDEX IF NOT EXISTS ux_orders ON orders (account_id, id);
ALTER TABLE orders DROP FOREIGN KEY orders_ibfk_1;
ALTER TABLE orders ADD FOREIGN KEY (account_id) REFERENCES accounts (id) ON UPDATE CASCADE;
ALTER TABLE orders ADD CHECK (total >= 0), ADD CHECK (total < 1000000);
ALTER TABLE orders DROP CONSTRAINT CONSTRAINT_1;
ALTER TABLE orders ADD CONSTRAINT total_positive CHECK (total > 0);

CREATE TABLE tmp_stuff (a INT, b INT, KEY (a));
CREATE INDEX ix_b ON tmp_stuff (b);
DROP INDEX a ON tmp_stuff;
ALTER TABLE tmp_stuff DROP INDEX ix_b, ADD PRIMARY KEY (a), ADD KEY ix_ab (a, b);
ALTER TABLE tmp_stuff DROP PRIMARY KEY;
RENAME TABLE tmp_stuff TO stuff, orders TO purchases;
ALTER TABLE stuff RENAME TO things;

CREATE TABLE accounts_copy LIKE accounts;
CREATE TABLE to_drop (id INT);
DROP TABLE IF EXISTS to_drop, never_existed;

CREATE TABLE conv (
  id INT PRIMARY KEY,
  a VARCHAR(10),
  b VARCHAR(10) CHARACTER SET latin1,
  c TEXT,
  n INT
) DEFAULT CHARSET = utf8mb4;
ALTER TABLE conv CONVERT TO CHARACTER SET latin1;
ALTER TABLE conv DEFAULT CHARACTER SET utf8mb3, ADD d VARCHAR(5);

CREATE TABLE renamed_fk_parent (id INT PRIMARY KEY);
CREATE TABLE renamed_fk_child (id INT PRIMARY KEY, pid INT, FOREIGN KEY (pid) REFERENCES renamed_fk_parent (id));
RENAME TABLE renamed_fk_child TO fk_child_now, renamed_fk_parent TO fk_parent_now;
ALTER TABLE fk_child_now CHANGE pid parent_id INT;

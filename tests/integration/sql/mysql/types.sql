-- Every type spelling the reader canonicalises, with defaults in every literal form, character
-- sets and collations on tables and columns, generated columns, comments and AUTO_INCREMENT.

CREATE TABLE numbers (
  id INTEGER UNSIGNED NOT NULL AUTO_INCREMENT COMMENT 'surrogate key',
  i1 INT1, i2 INT2 DEFAULT '7', i3 MIDDLEINT, i4 INT4(11) DEFAULT -1, i8 INT8 UNSIGNED,
  t TINYINT(4) SIGNED DEFAULT 0, tu TINYINT(3) UNSIGNED, s SMALLINT(6), m MEDIUMINT UNSIGNED,
  b BIGINT(20) NOT NULL DEFAULT 42, z INT(5) ZEROFILL DEFAULT 42, zb BIGINT ZEROFILL,
  flag BOOL DEFAULT TRUE, flag2 BOOLEAN NOT NULL DEFAULT FALSE, flag3 TINYINT(1) DEFAULT 1,
  d DECIMAL, d5 DEC(5), d52 NUMERIC(5,2) DEFAULT 5, dq FIXED(10,3) DEFAULT '1.5',
  du DECIMAL(8,2) UNSIGNED DEFAULT 0.5,
  f FLOAT DEFAULT 1.5, f7 FLOAT(7,4), f30 FLOAT(30), fp FLOAT(10),
  dbl DOUBLE DEFAULT 1e3, dp DOUBLE PRECISION, r REAL, f8 FLOAT8, f4 FLOAT4, dd DOUBLE(10,2),
  bt BIT, b8 BIT(8) DEFAULT b'101', b3 BIT(3) DEFAULT 5,
  y YEAR DEFAULT 2000, y4 YEAR(4),
  PRIMARY KEY (id)
) COMMENT = 'every numeric spelling';

CREATE TABLE temporal (
  id SERIAL,
  dt DATETIME DEFAULT '2020-01-01',
  dt3 DATETIME(3) DEFAULT '2020-01-01 10:20:30.5',
  dt0 DATETIME(0),
  ts TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
  ts6 TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  upd TIMESTAMP NOT NULL DEFAULT NOW() ON UPDATE LOCALTIMESTAMP,
  lt DATETIME DEFAULT LOCALTIME,
  d DATE DEFAULT '2020-1-2',
  t TIME DEFAULT '10:00',
  t3 TIME(3) DEFAULT '-12:30:01'
);

CREATE TABLE texts (
  id INT PRIMARY KEY,
  c CHAR, c10 CHARACTER(10) DEFAULT 'abc', vc VARCHAR(255) DEFAULT 3,
  cv CHARACTER VARYING(20), nc NCHAR(5), nv NVARCHAR(5), natc NATIONAL CHAR(3),
  natv NATIONAL VARCHAR(7), ncv NCHAR VARCHAR(4), nchv NATIONAL CHARACTER VARYING(6),
  bn BINARY, bn4 BINARY(4), vb VARBINARY(16), cb CHAR(3) BYTE,
  tt TINYTEXT, tx TEXT, mt MEDIUMTEXT, lt LONGTEXT, t100 TEXT(100), t90000 TEXT(90000),
  lv LONG VARCHAR, lg LONG, tb TINYBLOB, bl BLOB, mb MEDIUMBLOB, lb LONGBLOB, b300 BLOB(300),
  lvb LONG VARBINARY,
  e ENUM('G', 'PG', 'PG-13', 'it''s', 'back\\slash', 'trailing  ') DEFAULT 'PG',
  st SET('a', 'b', 'c') DEFAULT 'a,b',
  quoted VARCHAR(40) DEFAULT 'it''s \'quoted\' \\ and\nnewline',
  dq VARCHAR(20) DEFAULT "double ""quoted""",
  intro VARCHAR(20) DEFAULT _utf8mb4'introduced',
  nat VARCHAR(20) DEFAULT N'national',
  adj VARCHAR(20) DEFAULT 'ad' 'jacent',
  empty VARCHAR(5) NOT NULL DEFAULT '',
  null_string VARCHAR(5) DEFAULT 'NULL',
  bin_attr VARCHAR(40) BINARY,
  latin VARCHAR(10) CHARACTER SET latin1,
  latin_bin VARCHAR(10) CHARSET latin1 COLLATE latin1_bin,
  coll_only VARCHAR(10) COLLATE utf8mb4_unicode_ci,
  ascii_attr CHAR(2) ASCII,
  unicode_attr VARCHAR(5) UNICODE,
  as_binary VARCHAR(10) CHARACTER SET binary,
  utf8_alias VARCHAR(10) CHARACTER SET utf8 COLLATE utf8_unicode_ci,
  same_as_table VARCHAR(10) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci,
  blob_default BLOB DEFAULT ('abc'),
  hex_default VARBINARY(4) DEFAULT x'0A0B',
  js JSON,
  js2 JSON NOT NULL DEFAULT ('{}')
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COMMENT 'text, binary, enum, set, json';

CREATE TABLE latin_table (
  id INT NOT NULL,
  name VARCHAR(30),
  u VARCHAR(30) CHARACTER SET utf8mb4,
  bin_name VARCHAR(30) BINARY,
  n NVARCHAR(10),
  tx TEXT(100),
  PRIMARY KEY (id)
) CHARACTER SET latin1;

CREATE TABLE collated (
  id INT PRIMARY KEY,
  a VARCHAR(10),
  b VARCHAR(10) COLLATE utf8mb4_general_ci
) DEFAULT CHARACTER SET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE computed (
  id INT AUTO_INCREMENT PRIMARY KEY,
  price DECIMAL(10,2) NOT NULL,
  qty INT NOT NULL DEFAULT 1,
  total DECIMAL(12,2) GENERATED ALWAYS AS (price * qty) STORED,
  total_v DECIMAL(12,2) AS (`price` * `qty`) VIRTUAL,
  label VARCHAR(40) AS (CONCAT('#', qty, ': ', price)) PERSISTENT COMMENT 'shown in lists',
  half DOUBLE AS (price / 2),
  created DATETIME DEFAULT (NOW()),
  token VARCHAR(36) DEFAULT (UUID()),
  expr_default INT DEFAULT (1 + 2),
  fn_default VARCHAR(20) DEFAULT (CONCAT('a', 'b')),
  rnd DOUBLE DEFAULT (RAND())
);

CREATE TABLE `Quoted Names` (
  `select` INT NOT NULL,
  `weird``name` VARCHAR(5),
  `MixedCase` INT,
  PRIMARY KEY (`select`),
  KEY `key with space` (`MixedCase`)
);

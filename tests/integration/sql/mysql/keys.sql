-- Keys and constraints: the names the server chooses, foreign keys and the indexes InnoDB adds
-- for them, prefixes, DESC, FULLTEXT, SPATIAL, long unique (hash), engines, table options.

CREATE TABLE parent (
  id INT NOT NULL,
  code VARCHAR(10) NOT NULL UNIQUE,
  a INT, b INT, c INT,
  title VARCHAR(200),
  body TEXT,
  PRIMARY KEY (id),
  UNIQUE KEY (a, b),
  UNIQUE INDEX uq_b (b) COMMENT 'unique with a comment',
  CONSTRAINT uq_named UNIQUE (c),
  KEY (a), KEY (a), INDEX a_4 (b), KEY (a),
  KEY prefix_idx (title(20), code),
  INDEX desc_idx (a DESC, b ASC) USING BTREE,
  UNIQUE KEY unique_prefix (title(50)),
  UNIQUE KEY unique_desc (c DESC),
  UNIQUE KEY long_unique (body),
  FULLTEXT KEY ft_title_body (title, body),
  FULLTEXT (body),
  KEY hashed (c) USING HASH COMMENT 'InnoDB makes this a B-tree'
) ENGINE=InnoDB;

CREATE TABLE child (
  id INT PRIMARY KEY,
  parent_id INT NOT NULL,
  code VARCHAR(10),
  a INT, b INT,
  x INT REFERENCES parent (id),
  y INT,
  CONSTRAINT fk_parent FOREIGN KEY (parent_id) REFERENCES parent (id)
    ON DELETE CASCADE ON UPDATE CASCADE,
  FOREIGN KEY (code) REFERENCES parent (code) ON DELETE SET NULL,
  FOREIGN KEY idx_ab (a, b) REFERENCES parent (a, b) ON DELETE NO ACTION ON UPDATE RESTRICT,
  CONSTRAINT fk_y FOREIGN KEY (y) REFERENCES parent (id) MATCH FULL ON UPDATE NO ACTION,
  KEY covers_y (y, a),
  CONSTRAINT positive CHECK (id > 0),
  CHECK (id IS NULL OR id BETWEEN 1 AND 10),
  CHECK (id <> 5),
  CONSTRAINT b_format CHECK (b LIKE '1%' AND b IN (10, 11, 12) OR b IS NULL)
);

CREATE TABLE column_checks (
  id INT PRIMARY KEY,
  qty INT CHECK (qty >= 0),
  price DECIMAL(8,2) NOT NULL CHECK (price > 0),
  CONSTRAINT CONSTRAINT_1 CHECK (id > 0),
  CHECK (qty < 1000)
);

-- A foreign key whose index is added later: the generated one is dropped again.
CREATE TABLE later (
  id INT PRIMARY KEY,
  parent_id INT,
  other INT,
  CONSTRAINT fk_later FOREIGN KEY (parent_id) REFERENCES parent (id)
);
CREATE INDEX ix_later_parent ON later (parent_id, other);

-- The parent is created after the child when checks are off (as in mysqldump output).
SET FOREIGN_KEY_CHECKS = 0;
CREATE TABLE early (
  id INT PRIMARY KEY,
  late_id INT,
  FOREIGN KEY (late_id) REFERENCES late_parent (id)
);
CREATE TABLE late_parent (id INT PRIMARY KEY, early_id INT, FOREIGN KEY (early_id) REFERENCES early (id));
SET FOREIGN_KEY_CHECKS = 1;

CREATE TABLE self_ref (
  id INT PRIMARY KEY,
  manager_id INT,
  CONSTRAINT fk_manager FOREIGN KEY (manager_id) REFERENCES self_ref (id) ON DELETE SET NULL
);

-- MyISAM parses foreign keys and drops them; the index stays.
CREATE TABLE legacy (
  id INT NOT NULL AUTO_INCREMENT,
  parent_id INT,
  note VARCHAR(100),
  KEY (id),
  CONSTRAINT fk_legacy FOREIGN KEY (parent_id) REFERENCES parent (id),
  FULLTEXT (note)
) ENGINE=MyISAM PACK_KEYS=1 CHECKSUM=1 DELAY_KEY_WRITE=1 MAX_ROWS=1000 MIN_ROWS=10;

CREATE TABLE aria_table (
  id INT PRIMARY KEY,
  v VARCHAR(10)
) ENGINE=Aria TRANSACTIONAL=1 PAGE_CHECKSUM=1;

CREATE TABLE mem (
  id INT PRIMARY KEY,
  k INT,
  s VARCHAR(10),
  KEY (k),
  KEY bt (s) USING BTREE,
  UNIQUE KEY (s)
) ENGINE=MEMORY;

CREATE TABLE geo (
  id INT PRIMARY KEY,
  pt POINT NOT NULL,
  shape GEOMETRY NOT NULL,
  SPATIAL INDEX (pt),
  SPATIAL KEY sp_shape (shape)
);

CREATE TABLE options (
  id BIGINT PRIMARY KEY
) ENGINE=InnoDB ROW_FORMAT=COMPRESSED KEY_BLOCK_SIZE=8 STATS_PERSISTENT=0 STATS_AUTO_RECALC=1
  STATS_SAMPLE_PAGES=25 AVG_ROW_LENGTH=100 AUTO_INCREMENT=1000 COMMENT='table options';

CREATE TABLE inline_keys (
  id INT KEY,
  u INT UNIQUE KEY,
  s INT SERIAL DEFAULT VALUE
);

CREATE TABLE parent (id bigint PRIMARY KEY, name text);
CREATE TABLE child (id bigint PRIMARY KEY, parent_id bigint NOT NULL REFERENCES parent (id));
CREATE TABLE grandchild (child_id bigint REFERENCES child, parent_id bigint REFERENCES parent);
CREATE INDEX child_parent ON child (parent_id);

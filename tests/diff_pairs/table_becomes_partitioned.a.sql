-- a plain table becomes a partitioned table with partitions (a rebuild: no ALTER does this)
CREATE TABLE logs (id integer, at date, msg text);
CREATE INDEX logs_at ON logs (at);

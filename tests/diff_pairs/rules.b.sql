CREATE TABLE t (id integer, v text);
CREATE TABLE log (id integer, at timestamp with time zone DEFAULT now());
CREATE RULE t_no_delete AS ON DELETE TO t DO ALSO INSERT INTO log (id) VALUES (old.id);
CREATE RULE t_log_insert AS ON INSERT TO t DO ALSO INSERT INTO log (id) VALUES (new.id);
COMMENT ON RULE t_log_insert ON t IS 'log inserts';

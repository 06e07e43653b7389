-- rules: action changed, created, dropped, comments
CREATE TABLE t (id integer, v text);
CREATE TABLE log (id integer, at timestamp with time zone DEFAULT now());
CREATE RULE t_no_delete AS ON DELETE TO t DO INSTEAD NOTHING;
CREATE RULE t_gone AS ON UPDATE TO t WHERE new.id < 0 DO INSTEAD NOTHING;

-- Reader fidelity (tests/integration/test_reader_fidelity.py): grants to an object's owner
-- change nothing and the catalog does not show them; both readers leave them out. The file is
-- loaded as postgres (the DDL reader's default owner); dbdesign_reader is a test role.
CREATE TABLE t (id serial, x text);
GRANT SELECT ON t TO PUBLIC;
GRANT ALL ON t TO postgres;
CREATE VIEW v AS SELECT id FROM t;
GRANT ALL ON v TO CURRENT_USER;
GRANT SELECT ON v TO dbdesign_reader;
CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';
GRANT EXECUTE ON FUNCTION f() TO postgres;
CREATE SCHEMA app;
GRANT ALL ON SCHEMA app TO postgres;
GRANT USAGE ON SCHEMA app TO dbdesign_reader;
CREATE SEQUENCE s;
GRANT ALL ON SEQUENCE s TO PUBLIC;
GRANT ALL ON SEQUENCE s TO postgres;
-- owned by another role: grants to the loading role are real, those to the owner are not
CREATE TABLE o (id serial);
ALTER TABLE o OWNER TO dbdesign_reader;
GRANT ALL ON o TO postgres;
GRANT SELECT ON o TO dbdesign_reader;
GRANT USAGE ON SEQUENCE o_id_seq TO dbdesign_reader, postgres;
-- pg_dump's spelling of an owner with fewer privileges: not modelled, on either side
CREATE TABLE d (id int);
ALTER TABLE d OWNER TO dbdesign_reader;
REVOKE ALL ON TABLE d FROM dbdesign_reader;
GRANT SELECT ON TABLE d TO dbdesign_reader;
-- made by another role
CREATE SCHEMA r AUTHORIZATION dbdesign_reader;
SET ROLE dbdesign_reader;
CREATE TABLE r.x (id int);
GRANT ALL ON r.x TO dbdesign_reader;
GRANT SELECT ON r.x TO postgres;
RESET ROLE;
GRANT ALL ON SCHEMA r TO postgres;
CREATE FUNCTION g() RETURNS int LANGUAGE sql AS 'SELECT 2';
ALTER FUNCTION g() OWNER TO dbdesign_reader;
GRANT EXECUTE ON FUNCTION g() TO postgres;
-- OR REPLACE keeps the object, with its owner, grants and comment
CREATE VIEW w AS SELECT id FROM t;
GRANT SELECT ON w TO dbdesign_reader;
COMMENT ON VIEW w IS 'kept';
CREATE OR REPLACE VIEW w AS SELECT id, 1 AS one FROM t;
CREATE FUNCTION h() RETURNS int LANGUAGE sql AS 'SELECT 1';
GRANT EXECUTE ON FUNCTION h() TO dbdesign_reader;
COMMENT ON FUNCTION h() IS 'kept';
CREATE OR REPLACE FUNCTION h() RETURNS int LANGUAGE sql AS 'SELECT 2';

-- PUBLIC's EXECUTE on routines (the server's default) revoked and given back: REVOKE / GRANT,
-- never CREATE OR REPLACE (which leaves privileges as they are)
CREATE FUNCTION f(a integer) RETURNS integer LANGUAGE sql AS 'SELECT a';
CREATE FUNCTION g(a integer) RETURNS integer LANGUAGE sql SECURITY DEFINER AS 'SELECT a';
REVOKE EXECUTE ON FUNCTION g(integer) FROM PUBLIC;
CREATE PROCEDURE p() LANGUAGE sql AS 'SELECT 1';

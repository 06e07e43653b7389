-- functions and procedures (sql and plpgsql): body, volatility, strictness, security definer,
-- config, parallel, signature changed (a new function), return type changed, created, dropped,
-- comments, grants
CREATE FUNCTION f_sql(a integer) RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT a + 1';
CREATE FUNCTION f_plpgsql(x text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    RETURN x;
END
$$;
CREATE FUNCTION f_gone() RETURNS integer LANGUAGE sql AS 'SELECT 1';
CREATE FUNCTION f_sig(a integer) RETURNS integer LANGUAGE sql AS 'SELECT a';
CREATE FUNCTION f_ret() RETURNS integer LANGUAGE sql AS 'SELECT 1';
CREATE FUNCTION f_default(a integer, b integer DEFAULT 1) RETURNS integer LANGUAGE sql AS 'SELECT a + b';
CREATE PROCEDURE p_log(msg text) LANGUAGE plpgsql AS $$BEGIN RAISE NOTICE '%', msg; END$$;
GRANT EXECUTE ON FUNCTION f_plpgsql(text) TO dbdesign_diff_reader;

CREATE FUNCTION f_sql(a integer) RETURNS integer LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS 'SELECT a + 2';
CREATE FUNCTION f_plpgsql(x text) RETURNS text LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, public AS $$
BEGIN
    RETURN upper(x);
END
$$;
COMMENT ON FUNCTION f_plpgsql(text) IS 'shouts';
CREATE FUNCTION f_sig(a integer, b integer) RETURNS integer LANGUAGE sql AS 'SELECT a + b';
CREATE FUNCTION f_ret() RETURNS bigint LANGUAGE sql AS 'SELECT 1::bigint';
CREATE FUNCTION f_default(a integer, b integer DEFAULT 2) RETURNS integer LANGUAGE sql AS 'SELECT a + b';
CREATE FUNCTION f_table(n integer) RETURNS TABLE (i integer, sq integer) LANGUAGE sql
    AS 'SELECT g, g * g FROM generate_series(1, n) AS g';
CREATE PROCEDURE p_log(msg text) LANGUAGE plpgsql AS $$BEGIN RAISE NOTICE 'log: %', msg; END$$;
GRANT EXECUTE ON FUNCTION f_sql(integer) TO dbdesign_diff_reader;

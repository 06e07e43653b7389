-- triggers: events, UPDATE OF columns, WHEN, arguments, enabled/disabled, constraint triggers,
-- created, dropped, the trigger function's body changed, comments
CREATE TABLE t (a integer, b text, updated timestamp with time zone);
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated := now();
    RETURN NEW;
END
$$;
CREATE FUNCTION audit() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NULL; END$$;
CREATE TRIGGER t_touch BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION touch();
CREATE TRIGGER t_gone AFTER DELETE ON t FOR EACH STATEMENT EXECUTE FUNCTION audit();
CREATE TRIGGER t_toggle AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION audit();

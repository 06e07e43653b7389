CREATE TABLE doc (id integer, owner text, body text);
ALTER TABLE doc ENABLE ROW LEVEL SECURITY;
ALTER TABLE doc FORCE ROW LEVEL SECURITY;
CREATE POLICY doc_read ON doc FOR SELECT TO dbdesign_diff_reader, dbdesign_diff_writer
    USING (owner = current_user OR owner = 'shared');
CREATE POLICY doc_write ON doc FOR INSERT TO dbdesign_diff_writer WITH CHECK (owner = current_user);
CREATE POLICY doc_limit ON doc AS RESTRICTIVE FOR UPDATE USING (id > 0) WITH CHECK (id > 0);
CREATE POLICY doc_cmd ON doc FOR UPDATE USING (true);
COMMENT ON POLICY doc_read ON doc IS 'readers see their own and shared';
CREATE TABLE note (id integer);

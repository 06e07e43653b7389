-- row-level security: enabled, forced, disabled; policies created, dropped, with USING /
-- WITH CHECK / roles / command / restrictive changed, comments
CREATE TABLE doc (id integer, owner text, body text);
ALTER TABLE doc ENABLE ROW LEVEL SECURITY;
CREATE POLICY doc_read ON doc FOR SELECT USING (owner = current_user);
CREATE POLICY doc_gone ON doc FOR DELETE USING (false);
CREATE POLICY doc_cmd ON doc USING (true);
CREATE TABLE note (id integer);
ALTER TABLE note ENABLE ROW LEVEL SECURITY;
ALTER TABLE note FORCE ROW LEVEL SECURITY;

-- Citus placement of mailer: see DESIGN.md, "Beyond one server: Citus".
-- Checked statically by dbdesign, NOT run on a Citus cluster.
-- Run on the coordinator after schema.sql, with Citus installed on every node and the
-- workers added (citus_add_node): reference tables first, then each co-location group,
-- a referenced table before the tables that reference it.

-- The tables have triggers (see DESIGN.md): Citus distributes them only with
SET citus.enable_unsafe_triggers TO on;

-- Reference tables: a copy on every node
SELECT create_reference_table('public.accounts');
SELECT create_reference_table('public.starter_templates');

-- Co-location group accounts: distributed by account_id
SELECT create_distributed_table('public.contacts', 'account_id', colocate_with => 'none');
SELECT create_distributed_table('public.mailing_lists', 'account_id', colocate_with => 'public.contacts');
SELECT create_distributed_table('public.campaigns', 'account_id', colocate_with => 'public.contacts');
SELECT create_distributed_table('public.list_memberships', 'account_id', colocate_with => 'public.contacts');
SELECT create_distributed_table('public.deliveries', 'account_id', colocate_with => 'public.contacts');
SELECT create_distributed_table('public.engagement_events', 'account_id', colocate_with => 'public.contacts');

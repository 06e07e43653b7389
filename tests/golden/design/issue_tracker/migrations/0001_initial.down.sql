DROP POLICY tenant_isolation ON public.projects;

DROP POLICY tenant_isolation ON public.members;

DROP POLICY tenant_isolation ON public.labels;

DROP POLICY tenant_isolation ON public.issues;

DROP POLICY tenant_isolation ON public.issue_labels;

DROP POLICY tenant_isolation ON public.comments;

DROP POLICY tenant_isolation ON public.audit_events;

DROP TRIGGER trg_projects_set_updated_at ON public.projects;

DROP TRIGGER trg_organisations_set_updated_at ON public.organisations;

DROP TRIGGER trg_members_set_updated_at ON public.members;

DROP TRIGGER trg_labels_set_updated_at ON public.labels;

DROP TRIGGER trg_issues_status_moves ON public.issues;

DROP TRIGGER trg_issues_set_updated_at ON public.issues;

DROP TRIGGER trg_comments_set_updated_at ON public.comments;

ALTER TABLE public.projects DROP CONSTRAINT fk_projects_organisation_id;

ALTER TABLE public.members DROP CONSTRAINT fk_members_organisation_id;

ALTER TABLE public.labels DROP CONSTRAINT fk_labels_project_id;

ALTER TABLE public.labels DROP CONSTRAINT fk_labels_organisation_id;

ALTER TABLE public.issues DROP CONSTRAINT fk_issues_reporter_id;

ALTER TABLE public.issues DROP CONSTRAINT fk_issues_project_id;

ALTER TABLE public.issues DROP CONSTRAINT fk_issues_organisation_id;

ALTER TABLE public.issues DROP CONSTRAINT fk_issues_assignee_id;

ALTER TABLE public.issue_labels DROP CONSTRAINT fk_issue_labels_label_id;

ALTER TABLE public.issue_labels DROP CONSTRAINT fk_issue_labels_issue_id;

ALTER TABLE public.comments DROP CONSTRAINT fk_comments_organisation_id;

ALTER TABLE public.comments DROP CONSTRAINT fk_comments_issue_id;

ALTER TABLE public.comments DROP CONSTRAINT fk_comments_author_id;

ALTER TABLE public.audit_events DROP CONSTRAINT fk_audit_events_organisation_id;

ALTER TABLE public.audit_events DROP CONSTRAINT fk_audit_events_actor_id;

DROP INDEX public.uq_projects_organisation_id_key;

DROP INDEX public.uq_organisations_slug;

DROP INDEX public.uq_members_organisation_id_email;

DROP INDEX public.uq_labels_project_id_name;

DROP INDEX public.uq_issues_project_id_number;

DROP INDEX public.idx_labels_organisation_id_project_id;

DROP INDEX public.idx_issues_search_vector;

DROP INDEX public.idx_issues_organisation_id_reporter_id;

DROP INDEX public.idx_issues_organisation_id_project_id_status_priori_ce0894fa;

DROP INDEX public.idx_issues_organisation_id_assignee_id_updated_at;

DROP INDEX public.idx_issue_labels_organisation_id_label_id;

DROP INDEX public.idx_comments_organisation_id_issue_id_created_at;

DROP INDEX public.idx_comments_organisation_id_author_id;

DROP INDEX public.idx_audit_events_organisation_id_created_at;

DROP INDEX public.idx_audit_events_organisation_id_actor_id;

DROP TABLE public.projects;

DROP TABLE public.organisations;

DROP TABLE public.members;

DROP TABLE public.labels;

DROP TABLE public.issues;

DROP TABLE public.issue_labels;

DROP TABLE public.comments;

DROP TABLE public.audit_events;

DROP FUNCTION public.trg_issues_status_moves_fn();

DROP FUNCTION public.set_updated_at();

DROP FUNCTION public.maintain_monthly_partitions(regclass, interval, integer, timestamp with time zone);

DROP TRIGGER trg_tasks_status_moves ON public.tasks;

DROP TRIGGER trg_tasks_set_updated_at ON public.tasks;

DROP TRIGGER trg_projects_set_updated_at ON public.projects;

DROP TRIGGER trg_accounts_set_updated_at ON public.accounts;

ALTER TABLE public.tasks DROP CONSTRAINT fk_tasks_project_id;

ALTER TABLE public.tasks DROP CONSTRAINT fk_tasks_assignee_id;

ALTER TABLE public.projects DROP CONSTRAINT fk_projects_account_id;

DROP INDEX public.idx_tasks_project_id_status_due_date;

DROP INDEX public.idx_tasks_assignee_id_updated_at;

DROP INDEX public.idx_projects_account_id_created_at_false;

DROP INDEX public.idx_projects_account_id;

DROP TABLE public.tasks;

DROP TABLE public.projects;

DROP TABLE public.accounts;

DROP FUNCTION public.trg_tasks_status_moves_fn();

DROP FUNCTION public.set_updated_at();

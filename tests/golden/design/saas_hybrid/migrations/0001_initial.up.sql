SET check_function_bodies = false;
SET standard_conforming_strings = on;
SET search_path = public;

CREATE FUNCTION public.set_updated_at() RETURNS trigger
    LANGUAGE plpgsql
AS $body$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$body$;
COMMENT ON FUNCTION public.set_updated_at() IS 'Sets updated_at on every UPDATE (the trg_*_set_updated_at triggers).';

CREATE FUNCTION public.trg_tasks_status_moves_fn() RETURNS trigger
    LANGUAGE plpgsql
AS $body$
BEGIN
    IF OLD.status IS NOT NULL AND NEW.status IS NOT NULL AND NEW.status <> OLD.status AND NOT ((OLD.status = 'todo' AND NEW.status IN ('doing', 'done')) OR (OLD.status = 'doing' AND NEW.status IN ('todo', 'done')) OR (OLD.status = 'done' AND NEW.status IN ('doing'))) THEN
        RAISE EXCEPTION 'trg_tasks_status_moves: % may not move from % to %', 'status', OLD.status, NEW.status
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$body$;
COMMENT ON FUNCTION public.trg_tasks_status_moves_fn() IS 'Refuses a move of tasks.status that trg_tasks_status_moves does not allow.';

CREATE TABLE public.accounts (
    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    email text NOT NULL,
    name text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT pk_accounts PRIMARY KEY (id),
    CONSTRAINT uq_accounts_email UNIQUE (email),
    CONSTRAINT chk_accounts_email CHECK (char_length(email) <= 254 AND email ~ '^[^@\sA-Z]+@[^@\sA-Z]+\.[^@\sA-Z]+$'),
    CONSTRAINT chk_accounts_name CHECK (char_length(name) >= 1 AND char_length(name) <= 120)
);
COMMENT ON TABLE public.accounts IS 'A person who signs in.';
COMMENT ON COLUMN public.accounts.email IS 'PII: personal data; encrypt at rest.';

CREATE TABLE public.projects (
    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    account_id bigint NOT NULL,
    title text NOT NULL,
    archived boolean DEFAULT false NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT pk_projects PRIMARY KEY (id),
    CONSTRAINT chk_projects_title CHECK (char_length(title) >= 1 AND char_length(title) <= 200)
);
COMMENT ON TABLE public.projects IS 'A board of tasks owned by an account.';

CREATE TABLE public.tasks (
    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    project_id bigint NOT NULL,
    assignee_id bigint,
    title text NOT NULL,
    status text NOT NULL,
    due_date date,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT pk_tasks PRIMARY KEY (id),
    CONSTRAINT chk_tasks_status CHECK (status IN ('todo', 'doing', 'done')),
    CONSTRAINT chk_tasks_title CHECK (char_length(title) >= 1 AND char_length(title) <= 300)
);
COMMENT ON TABLE public.tasks IS 'A unit of work on a project.';

CREATE INDEX idx_projects_account_id ON public.projects (account_id);

CREATE INDEX idx_projects_account_id_created_at_false ON public.projects (account_id, created_at) WHERE (archived = false);

CREATE INDEX idx_tasks_assignee_id_updated_at ON public.tasks (assignee_id, updated_at);

CREATE INDEX idx_tasks_project_id_status_due_date ON public.tasks (project_id, status, due_date);

ALTER TABLE public.projects ADD CONSTRAINT fk_projects_account_id FOREIGN KEY (account_id) REFERENCES public.accounts (id) ON DELETE CASCADE;

ALTER TABLE public.tasks ADD CONSTRAINT fk_tasks_assignee_id FOREIGN KEY (assignee_id) REFERENCES public.accounts (id) ON DELETE SET NULL;

ALTER TABLE public.tasks ADD CONSTRAINT fk_tasks_project_id FOREIGN KEY (project_id) REFERENCES public.projects (id) ON DELETE CASCADE;

CREATE TRIGGER trg_accounts_set_updated_at BEFORE UPDATE ON public.accounts FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

CREATE TRIGGER trg_projects_set_updated_at BEFORE UPDATE ON public.projects FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

CREATE TRIGGER trg_tasks_set_updated_at BEFORE UPDATE ON public.tasks FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

CREATE TRIGGER trg_tasks_status_moves BEFORE UPDATE ON public.tasks FOR EACH ROW EXECUTE FUNCTION public.trg_tasks_status_moves_fn();

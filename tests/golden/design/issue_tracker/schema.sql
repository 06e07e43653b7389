SET check_function_bodies = false;
SET standard_conforming_strings = on;
SET search_path = public;

CREATE FUNCTION public.maintain_monthly_partitions(parent regclass, retention interval DEFAULT NULL::interval, ahead integer DEFAULT 3, as_of timestamp with time zone DEFAULT now()) RETURNS SETOF text
    LANGUAGE plpgsql
    SET lock_timeout TO '10s'
    SET search_path TO 'pg_catalog', 'pg_temp'
AS $body$
DECLARE
    nsp name;
    rel name;
    m timestamp := date_trunc('month', as_of AT TIME ZONE 'UTC');
    last_month timestamp := date_trunc('month', as_of AT TIME ZONE 'UTC')
        + make_interval(months => ahead);
    part record;
    pname text;
BEGIN
    SELECT n.nspname, c.relname INTO nsp, rel
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.oid = parent AND c.relkind = 'p';
    IF NOT FOUND THEN
        RAISE EXCEPTION '% is not a partitioned table', parent;
    END IF;
    IF retention IS NOT NULL THEN
        m := date_trunc('month', (as_of - retention) AT TIME ZONE 'UTC');
    END IF;
    WHILE m <= last_month LOOP
        pname := left(rel, 55) || to_char(m, '"_"YYYY"_"MM');
        IF NOT EXISTS (SELECT FROM pg_class c JOIN pg_inherits i ON i.inhrelid = c.oid
                        WHERE i.inhparent = parent AND c.relname = pname) THEN
            EXECUTE format('CREATE TABLE %I.%I PARTITION OF %s FOR VALUES FROM (%L) TO (%L)',
                           nsp, pname, parent, m::text || '+00',
                           (m + interval '1 month')::text || '+00');
            RETURN NEXT 'created ' || pname;
        END IF;
        m := m + interval '1 month';
    END LOOP;
    IF retention IS NULL THEN
        RETURN;
    END IF;
    FOR part IN
        SELECT c.oid::regclass AS child, c.relname,
               substring(pg_get_expr(c.relpartbound, c.oid) FROM 'TO \(''([^'']+)''\)') AS hi
          FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
         WHERE i.inhparent = parent
         ORDER BY 3
    LOOP
        CONTINUE WHEN part.hi IS NULL;  -- the DEFAULT partition, or MAXVALUE
        IF part.hi::timestamptz <= as_of - retention THEN
            EXECUTE format('ALTER TABLE %s DETACH PARTITION %s', parent, part.child);
            EXECUTE format('DROP TABLE %s', part.child);
            RETURN NEXT 'dropped ' || part.relname;
        END IF;
    END LOOP;
END
$body$;
COMMENT ON FUNCTION public.maintain_monthly_partitions(regclass, interval, integer, timestamp with time zone) IS 'Monthly partitions of a table partitioned by range of a timestamp: creates those from the oldest month retention keeps to `ahead` months after `as_of`, detaches and drops those wholly past retention; returns what it did.';

CREATE FUNCTION public.set_updated_at() RETURNS trigger
    LANGUAGE plpgsql
AS $body$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$body$;
COMMENT ON FUNCTION public.set_updated_at() IS 'Sets updated_at on every UPDATE (the trg_*_set_updated_at triggers).';

CREATE FUNCTION public.trg_issues_status_moves_fn() RETURNS trigger
    LANGUAGE plpgsql
AS $body$
BEGIN
    IF OLD.status IS NOT NULL AND NEW.status IS NOT NULL AND NEW.status <> OLD.status AND NOT ((OLD.status = 'open' AND NEW.status IN ('in_progress', 'closed')) OR (OLD.status = 'in_progress' AND NEW.status IN ('done', 'open')) OR (OLD.status = 'done' AND NEW.status IN ('closed'))) THEN
        RAISE EXCEPTION 'trg_issues_status_moves: % may not move from % to %', 'status', OLD.status, NEW.status
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$body$;
COMMENT ON FUNCTION public.trg_issues_status_moves_fn() IS 'Refuses a move of issues.status that trg_issues_status_moves does not allow.';

CREATE TABLE public.audit_events (
    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    organisation_id bigint NOT NULL,
    actor_id bigint,
    action text NOT NULL,
    object_type text NOT NULL,
    object_id integer NOT NULL,
    details jsonb,
    ip inet,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT pk_audit_events PRIMARY KEY (id, created_at),
    CONSTRAINT chk_audit_events_action CHECK (action IN ('create', 'update', 'delete', 'login')),
    CONSTRAINT chk_audit_events_object_id CHECK (object_id >= 1),
    CONSTRAINT chk_audit_events_object_type CHECK (char_length(object_type) >= 1 AND char_length(object_type) <= 40)
) PARTITION BY RANGE (created_at);
ALTER TABLE public.audit_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.audit_events FORCE ROW LEVEL SECURITY;
COMMENT ON TABLE public.audit_events IS 'One recorded change (who did what to which object).';

CREATE TABLE public.audit_events_2025_01 PARTITION OF public.audit_events FOR VALUES FROM ('2025-01-01 00:00:00+00') TO ('2025-02-01 00:00:00+00');

CREATE TABLE public.audit_events_2025_02 PARTITION OF public.audit_events FOR VALUES FROM ('2025-02-01 00:00:00+00') TO ('2025-03-01 00:00:00+00');

CREATE TABLE public.audit_events_2025_03 PARTITION OF public.audit_events FOR VALUES FROM ('2025-03-01 00:00:00+00') TO ('2025-04-01 00:00:00+00');

CREATE TABLE public.audit_events_2025_04 PARTITION OF public.audit_events FOR VALUES FROM ('2025-04-01 00:00:00+00') TO ('2025-05-01 00:00:00+00');

CREATE TABLE public.audit_events_2025_05 PARTITION OF public.audit_events FOR VALUES FROM ('2025-05-01 00:00:00+00') TO ('2025-06-01 00:00:00+00');

CREATE TABLE public.audit_events_2025_06 PARTITION OF public.audit_events FOR VALUES FROM ('2025-06-01 00:00:00+00') TO ('2025-07-01 00:00:00+00');

CREATE TABLE public.audit_events_2025_07 PARTITION OF public.audit_events FOR VALUES FROM ('2025-07-01 00:00:00+00') TO ('2025-08-01 00:00:00+00');

CREATE TABLE public.audit_events_2025_08 PARTITION OF public.audit_events FOR VALUES FROM ('2025-08-01 00:00:00+00') TO ('2025-09-01 00:00:00+00');

CREATE TABLE public.audit_events_2025_09 PARTITION OF public.audit_events FOR VALUES FROM ('2025-09-01 00:00:00+00') TO ('2025-10-01 00:00:00+00');

CREATE TABLE public.audit_events_2025_10 PARTITION OF public.audit_events FOR VALUES FROM ('2025-10-01 00:00:00+00') TO ('2025-11-01 00:00:00+00');

CREATE TABLE public.audit_events_2025_11 PARTITION OF public.audit_events FOR VALUES FROM ('2025-11-01 00:00:00+00') TO ('2025-12-01 00:00:00+00');

CREATE TABLE public.audit_events_2025_12 PARTITION OF public.audit_events FOR VALUES FROM ('2025-12-01 00:00:00+00') TO ('2026-01-01 00:00:00+00');

CREATE TABLE public.audit_events_2026_01 PARTITION OF public.audit_events FOR VALUES FROM ('2026-01-01 00:00:00+00') TO ('2026-02-01 00:00:00+00');

CREATE TABLE public.audit_events_2026_02 PARTITION OF public.audit_events FOR VALUES FROM ('2026-02-01 00:00:00+00') TO ('2026-03-01 00:00:00+00');

CREATE TABLE public.audit_events_2026_03 PARTITION OF public.audit_events FOR VALUES FROM ('2026-03-01 00:00:00+00') TO ('2026-04-01 00:00:00+00');

CREATE TABLE public.audit_events_2026_04 PARTITION OF public.audit_events FOR VALUES FROM ('2026-04-01 00:00:00+00') TO ('2026-05-01 00:00:00+00');

CREATE TABLE public.comments (
    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    organisation_id bigint NOT NULL,
    issue_id bigint NOT NULL,
    author_id bigint NOT NULL,
    body text NOT NULL,
    deleted_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT pk_comments PRIMARY KEY (id)
);
ALTER TABLE public.comments ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.comments FORCE ROW LEVEL SECURITY;
COMMENT ON TABLE public.comments IS 'A message on an issue.';

CREATE TABLE public.issue_labels (
    organisation_id bigint NOT NULL,
    issue_id bigint NOT NULL,
    label_id bigint NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT pk_issue_labels PRIMARY KEY (organisation_id, issue_id, label_id)
);
ALTER TABLE public.issue_labels ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.issue_labels FORCE ROW LEVEL SECURITY;
COMMENT ON TABLE public.issue_labels IS 'Labels applied to an issue.';

CREATE TABLE public.issues (
    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    organisation_id bigint NOT NULL,
    project_id bigint NOT NULL,
    reporter_id bigint NOT NULL,
    assignee_id bigint,
    number integer NOT NULL,
    title text NOT NULL,
    body text,
    status text DEFAULT 'open' NOT NULL,
    priority smallint DEFAULT 2 NOT NULL,
    due_on date,
    search_vector tsvector GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, coalesce(title, '') || ' ' || coalesce(body, ''))) STORED,
    version integer DEFAULT 1 NOT NULL,
    deleted_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT pk_issues PRIMARY KEY (id),
    CONSTRAINT uq_issues_organisation_id_id UNIQUE (organisation_id, id),
    CONSTRAINT chk_issues_number CHECK (number >= 1),
    CONSTRAINT chk_issues_priority CHECK (priority >= 0 AND priority <= 4),
    CONSTRAINT chk_issues_status CHECK (status IN ('open', 'in_progress', 'done', 'closed')),
    CONSTRAINT chk_issues_title CHECK (char_length(title) >= 1 AND char_length(title) <= 300)
);
ALTER TABLE public.issues ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.issues FORCE ROW LEVEL SECURITY;
COMMENT ON TABLE public.issues IS 'A unit of work to be tracked.';
COMMENT ON COLUMN public.issues.number IS 'Number within the project.';

CREATE TABLE public.labels (
    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    organisation_id bigint NOT NULL,
    project_id bigint NOT NULL,
    name text NOT NULL,
    colour text NOT NULL,
    deleted_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT pk_labels PRIMARY KEY (id),
    CONSTRAINT uq_labels_organisation_id_id UNIQUE (organisation_id, id),
    CONSTRAINT chk_labels_colour CHECK (char_length(colour) >= 1 AND char_length(colour) <= 7),
    CONSTRAINT chk_labels_name CHECK (char_length(name) >= 1 AND char_length(name) <= 50)
);
ALTER TABLE public.labels ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.labels FORCE ROW LEVEL SECURITY;
COMMENT ON TABLE public.labels IS 'A tag projects use to classify issues.';
COMMENT ON COLUMN public.labels.colour IS 'Hex colour such as #aabbcc.';

CREATE TABLE public.members (
    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    organisation_id bigint NOT NULL,
    email text NOT NULL,
    display_name text NOT NULL,
    role text DEFAULT 'member' NOT NULL,
    deleted_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT pk_members PRIMARY KEY (id),
    CONSTRAINT uq_members_organisation_id_id UNIQUE (organisation_id, id),
    CONSTRAINT chk_members_display_name CHECK (char_length(display_name) >= 1 AND char_length(display_name) <= 100),
    CONSTRAINT chk_members_email CHECK (char_length(email) <= 254 AND email ~ '^[^@\sA-Z]+@[^@\sA-Z]+\.[^@\sA-Z]+$'),
    CONSTRAINT chk_members_role CHECK (role IN ('owner', 'admin', 'member', 'guest'))
);
ALTER TABLE public.members ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.members FORCE ROW LEVEL SECURITY;
COMMENT ON TABLE public.members IS 'A person''s membership of an organisation.';
COMMENT ON COLUMN public.members.email IS 'PII: personal data; encrypt at rest.';
COMMENT ON COLUMN public.members.display_name IS 'PII: personal data; encrypt at rest.';

CREATE TABLE public.organisations (
    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    name text NOT NULL,
    slug text NOT NULL,
    plan text DEFAULT 'free' NOT NULL,
    deleted_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT pk_organisations PRIMARY KEY (id),
    CONSTRAINT chk_organisations_name CHECK (char_length(name) >= 1 AND char_length(name) <= 120),
    CONSTRAINT chk_organisations_plan CHECK (plan IN ('free', 'team', 'enterprise')),
    CONSTRAINT chk_organisations_slug CHECK (char_length(slug) >= 1 AND char_length(slug) <= 60)
);
COMMENT ON TABLE public.organisations IS 'A customer account (the tenant).';

CREATE TABLE public.projects (
    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    organisation_id bigint NOT NULL,
    key text NOT NULL,
    name text NOT NULL,
    deleted_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT pk_projects PRIMARY KEY (id),
    CONSTRAINT uq_projects_organisation_id_id UNIQUE (organisation_id, id),
    CONSTRAINT chk_projects_key CHECK (char_length(key) >= 1 AND char_length(key) <= 10),
    CONSTRAINT chk_projects_name CHECK (char_length(name) >= 1 AND char_length(name) <= 120)
);
ALTER TABLE public.projects ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.projects FORCE ROW LEVEL SECURITY;
COMMENT ON TABLE public.projects IS 'A body of work inside an organisation.';
COMMENT ON COLUMN public.projects.key IS 'Short code used in issue numbers.';

CREATE INDEX idx_audit_events_organisation_id_actor_id ON public.audit_events (organisation_id, actor_id);

CREATE INDEX idx_audit_events_organisation_id_created_at ON public.audit_events (organisation_id, created_at);

CREATE INDEX idx_comments_organisation_id_author_id ON public.comments (organisation_id, author_id);

CREATE INDEX idx_comments_organisation_id_issue_id_created_at ON public.comments (organisation_id, issue_id, created_at);

CREATE INDEX idx_issue_labels_organisation_id_label_id ON public.issue_labels (organisation_id, label_id);

CREATE INDEX idx_issues_organisation_id_assignee_id_updated_at ON public.issues (organisation_id, assignee_id, updated_at);

CREATE INDEX idx_issues_organisation_id_project_id_status_priori_ce0894fa ON public.issues (organisation_id, project_id, status, priority, updated_at DESC);

CREATE INDEX idx_issues_organisation_id_reporter_id ON public.issues (organisation_id, reporter_id);

CREATE INDEX idx_issues_search_vector ON public.issues USING gin (search_vector);

CREATE INDEX idx_labels_organisation_id_project_id ON public.labels (organisation_id, project_id);

CREATE UNIQUE INDEX uq_issues_project_id_number ON public.issues (project_id, number) WHERE (deleted_at IS NULL);

CREATE UNIQUE INDEX uq_labels_project_id_name ON public.labels (project_id, name) WHERE (deleted_at IS NULL);

CREATE UNIQUE INDEX uq_members_organisation_id_email ON public.members (organisation_id, email) WHERE (deleted_at IS NULL);

CREATE UNIQUE INDEX uq_organisations_slug ON public.organisations (slug) WHERE (deleted_at IS NULL);

CREATE UNIQUE INDEX uq_projects_organisation_id_key ON public.projects (organisation_id, key) WHERE (deleted_at IS NULL);

ALTER TABLE public.audit_events ADD CONSTRAINT fk_audit_events_actor_id FOREIGN KEY (organisation_id, actor_id) REFERENCES public.members (organisation_id, id) ON DELETE SET NULL (actor_id);

ALTER TABLE public.audit_events ADD CONSTRAINT fk_audit_events_organisation_id FOREIGN KEY (organisation_id) REFERENCES public.organisations (id) ON DELETE RESTRICT;

ALTER TABLE public.comments ADD CONSTRAINT fk_comments_author_id FOREIGN KEY (organisation_id, author_id) REFERENCES public.members (organisation_id, id) ON DELETE RESTRICT;

ALTER TABLE public.comments ADD CONSTRAINT fk_comments_issue_id FOREIGN KEY (organisation_id, issue_id) REFERENCES public.issues (organisation_id, id) ON DELETE CASCADE;

ALTER TABLE public.comments ADD CONSTRAINT fk_comments_organisation_id FOREIGN KEY (organisation_id) REFERENCES public.organisations (id) ON DELETE RESTRICT;

ALTER TABLE public.issue_labels ADD CONSTRAINT fk_issue_labels_issue_id FOREIGN KEY (organisation_id, issue_id) REFERENCES public.issues (organisation_id, id) ON DELETE CASCADE;

ALTER TABLE public.issue_labels ADD CONSTRAINT fk_issue_labels_label_id FOREIGN KEY (organisation_id, label_id) REFERENCES public.labels (organisation_id, id) ON DELETE CASCADE;

ALTER TABLE public.issues ADD CONSTRAINT fk_issues_assignee_id FOREIGN KEY (organisation_id, assignee_id) REFERENCES public.members (organisation_id, id) ON DELETE SET NULL (assignee_id);

ALTER TABLE public.issues ADD CONSTRAINT fk_issues_organisation_id FOREIGN KEY (organisation_id) REFERENCES public.organisations (id) ON DELETE RESTRICT;

ALTER TABLE public.issues ADD CONSTRAINT fk_issues_project_id FOREIGN KEY (organisation_id, project_id) REFERENCES public.projects (organisation_id, id) ON DELETE CASCADE;

ALTER TABLE public.issues ADD CONSTRAINT fk_issues_reporter_id FOREIGN KEY (organisation_id, reporter_id) REFERENCES public.members (organisation_id, id) ON DELETE RESTRICT;

ALTER TABLE public.labels ADD CONSTRAINT fk_labels_organisation_id FOREIGN KEY (organisation_id) REFERENCES public.organisations (id) ON DELETE RESTRICT;

ALTER TABLE public.labels ADD CONSTRAINT fk_labels_project_id FOREIGN KEY (organisation_id, project_id) REFERENCES public.projects (organisation_id, id) ON DELETE CASCADE;

ALTER TABLE public.members ADD CONSTRAINT fk_members_organisation_id FOREIGN KEY (organisation_id) REFERENCES public.organisations (id) ON DELETE CASCADE;

ALTER TABLE public.projects ADD CONSTRAINT fk_projects_organisation_id FOREIGN KEY (organisation_id) REFERENCES public.organisations (id) ON DELETE CASCADE;

CREATE TRIGGER trg_comments_set_updated_at BEFORE UPDATE ON public.comments FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

CREATE TRIGGER trg_issues_set_updated_at BEFORE UPDATE ON public.issues FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

CREATE TRIGGER trg_issues_status_moves BEFORE UPDATE ON public.issues FOR EACH ROW EXECUTE FUNCTION public.trg_issues_status_moves_fn();

CREATE TRIGGER trg_labels_set_updated_at BEFORE UPDATE ON public.labels FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

CREATE TRIGGER trg_members_set_updated_at BEFORE UPDATE ON public.members FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

CREATE TRIGGER trg_organisations_set_updated_at BEFORE UPDATE ON public.organisations FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

CREATE TRIGGER trg_projects_set_updated_at BEFORE UPDATE ON public.projects FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

CREATE POLICY tenant_isolation ON public.audit_events USING (organisation_id = (current_setting('app.tenant_id'))::bigint);

CREATE POLICY tenant_isolation ON public.comments USING (organisation_id = (current_setting('app.tenant_id'))::bigint);

CREATE POLICY tenant_isolation ON public.issue_labels USING (organisation_id = (current_setting('app.tenant_id'))::bigint);

CREATE POLICY tenant_isolation ON public.issues USING (organisation_id = (current_setting('app.tenant_id'))::bigint);

CREATE POLICY tenant_isolation ON public.labels USING (organisation_id = (current_setting('app.tenant_id'))::bigint);

CREATE POLICY tenant_isolation ON public.members USING (organisation_id = (current_setting('app.tenant_id'))::bigint);

CREATE POLICY tenant_isolation ON public.projects USING (organisation_id = (current_setting('app.tenant_id'))::bigint);

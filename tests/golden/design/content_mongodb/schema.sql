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

CREATE FUNCTION public.trg_bylines_article_id_at_most_fn() RETURNS trigger
    LANGUAGE plpgsql
AS $body$
BEGIN
    IF NEW.article_id IS NOT NULL THEN
        PERFORM 1 FROM public.articles WHERE id = NEW.article_id FOR UPDATE;
        IF (SELECT count(*) FROM public.bylines AS o WHERE o.article_id = NEW.article_id AND (TG_OP = 'INSERT' OR NOT (o.id = OLD.id))) >= 5 THEN
            RAISE EXCEPTION USING ERRCODE = 'check_violation',
                MESSAGE = 'trg_bylines_article_id_at_most: at most 5 bylines per article';
        END IF;
    END IF;
    RETURN NEW;
END;
$body$;
COMMENT ON FUNCTION public.trg_bylines_article_id_at_most_fn() IS 'Refuses a child of bylines past the bound of trg_bylines_article_id_at_most.';

CREATE FUNCTION public.trg_sections_article_id_at_most_fn() RETURNS trigger
    LANGUAGE plpgsql
AS $body$
BEGIN
    IF NEW.article_id IS NOT NULL THEN
        PERFORM 1 FROM public.articles WHERE id = NEW.article_id FOR UPDATE;
        IF (SELECT count(*) FROM public.sections AS o WHERE o.article_id = NEW.article_id AND (TG_OP = 'INSERT' OR NOT (o.id = OLD.id))) >= 30 THEN
            RAISE EXCEPTION USING ERRCODE = 'check_violation',
                MESSAGE = 'trg_sections_article_id_at_most: at most 30 sections per article';
        END IF;
    END IF;
    RETURN NEW;
END;
$body$;
COMMENT ON FUNCTION public.trg_sections_article_id_at_most_fn() IS 'Refuses a child of sections past the bound of trg_sections_article_id_at_most.';

CREATE FUNCTION public.trg_tags_article_id_at_most_fn() RETURNS trigger
    LANGUAGE plpgsql
AS $body$
BEGIN
    IF NEW.article_id IS NOT NULL THEN
        PERFORM 1 FROM public.articles WHERE id = NEW.article_id FOR UPDATE;
        IF (SELECT count(*) FROM public.tags AS o WHERE o.article_id = NEW.article_id AND (TG_OP = 'INSERT' OR NOT (o.id = OLD.id))) >= 10 THEN
            RAISE EXCEPTION USING ERRCODE = 'check_violation',
                MESSAGE = 'trg_tags_article_id_at_most: at most 10 tags per article';
        END IF;
    END IF;
    RETURN NEW;
END;
$body$;
COMMENT ON FUNCTION public.trg_tags_article_id_at_most_fn() IS 'Refuses a child of tags past the bound of trg_tags_article_id_at_most.';

CREATE TABLE public.articles (
    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    slug text NOT NULL,
    title text NOT NULL,
    summary text,
    status text DEFAULT 'draft' NOT NULL,
    published_at timestamp with time zone,
    metadata jsonb,
    search_vector tsvector GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, coalesce(title, '') || ' ' || coalesce(summary, ''))) STORED,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT pk_articles PRIMARY KEY (id),
    CONSTRAINT uq_articles_slug UNIQUE (slug),
    CONSTRAINT chk_articles_slug CHECK (char_length(slug) >= 1 AND char_length(slug) <= 160),
    CONSTRAINT chk_articles_slug_pattern CHECK (slug ~ '^([a-z0-9-]+)$'),
    CONSTRAINT chk_articles_status CHECK (status IN ('draft', 'published', 'archived')),
    CONSTRAINT chk_articles_summary CHECK (char_length(summary) <= 600),
    CONSTRAINT chk_articles_title CHECK (char_length(title) >= 1 AND char_length(title) <= 200)
);
COMMENT ON TABLE public.articles IS 'A published or draft article, read as one document.';
COMMENT ON COLUMN public.articles.metadata IS 'Free-form SEO and layout settings.';

CREATE TABLE public.authors (
    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    display_name text NOT NULL,
    email text NOT NULL,
    bio text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT pk_authors PRIMARY KEY (id),
    CONSTRAINT uq_authors_email UNIQUE (email),
    CONSTRAINT chk_authors_display_name CHECK (char_length(display_name) >= 1 AND char_length(display_name) <= 120),
    CONSTRAINT chk_authors_email CHECK (char_length(email) <= 254 AND email ~ '^[^@\sA-Z]+@[^@\sA-Z]+\.[^@\sA-Z]+$')
);
COMMENT ON TABLE public.authors IS 'A writer who can publish articles.';
COMMENT ON COLUMN public.authors.email IS 'PII: personal data; encrypt at rest.';

CREATE TABLE public.bylines (
    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    article_id bigint NOT NULL,
    author_id bigint NOT NULL,
    credited_name text NOT NULL,
    role text DEFAULT 'author' NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT pk_bylines PRIMARY KEY (id),
    CONSTRAINT chk_bylines_credited_name CHECK (char_length(credited_name) >= 1 AND char_length(credited_name) <= 120),
    CONSTRAINT chk_bylines_role CHECK (role IN ('author', 'editor', 'photographer', 'translator'))
);
COMMENT ON TABLE public.bylines IS 'An author of an article as credited when it was published.';

CREATE TABLE public.comments (
    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    article_id bigint NOT NULL,
    reader_name text NOT NULL,
    body text NOT NULL,
    status text DEFAULT 'pending' NOT NULL,
    posted_at timestamp with time zone NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT pk_comments PRIMARY KEY (id),
    CONSTRAINT chk_comments_reader_name CHECK (char_length(reader_name) >= 1 AND char_length(reader_name) <= 80),
    CONSTRAINT chk_comments_status CHECK (status IN ('pending', 'approved', 'rejected'))
);
COMMENT ON TABLE public.comments IS 'A reader''s comment on an article, moderated before it shows.';

CREATE TABLE public.page_events (
    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    article_id bigint NOT NULL,
    session_id uuid NOT NULL,
    kind text NOT NULL,
    payload jsonb,
    occurred_at timestamp with time zone NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT pk_page_events PRIMARY KEY (id, occurred_at),
    CONSTRAINT chk_page_events_kind CHECK (kind IN ('view', 'scroll', 'share', 'click'))
) PARTITION BY RANGE (occurred_at);
COMMENT ON TABLE public.page_events IS 'A reading event (view, scroll depth, share) sent by the article page.';

CREATE TABLE public.page_events_2025_10 PARTITION OF public.page_events FOR VALUES FROM ('2025-10-01 00:00:00+00') TO ('2025-11-01 00:00:00+00');

CREATE TABLE public.page_events_2025_11 PARTITION OF public.page_events FOR VALUES FROM ('2025-11-01 00:00:00+00') TO ('2025-12-01 00:00:00+00');

CREATE TABLE public.page_events_2025_12 PARTITION OF public.page_events FOR VALUES FROM ('2025-12-01 00:00:00+00') TO ('2026-01-01 00:00:00+00');

CREATE TABLE public.page_events_2026_01 PARTITION OF public.page_events FOR VALUES FROM ('2026-01-01 00:00:00+00') TO ('2026-02-01 00:00:00+00');

CREATE TABLE public.page_events_2026_02 PARTITION OF public.page_events FOR VALUES FROM ('2026-02-01 00:00:00+00') TO ('2026-03-01 00:00:00+00');

CREATE TABLE public.page_events_2026_03 PARTITION OF public.page_events FOR VALUES FROM ('2026-03-01 00:00:00+00') TO ('2026-04-01 00:00:00+00');

CREATE TABLE public.page_events_2026_04 PARTITION OF public.page_events FOR VALUES FROM ('2026-04-01 00:00:00+00') TO ('2026-05-01 00:00:00+00');

CREATE TABLE public.sections (
    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    article_id bigint NOT NULL,
    "position" smallint NOT NULL,
    heading text,
    body text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT pk_sections PRIMARY KEY (id),
    CONSTRAINT chk_sections_heading CHECK (char_length(heading) <= 200),
    CONSTRAINT chk_sections_position CHECK (position >= 1 AND position <= 50)
);
COMMENT ON TABLE public.sections IS 'One section of an article''s body, in order.';

CREATE TABLE public.tags (
    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    article_id bigint NOT NULL,
    label text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT pk_tags PRIMARY KEY (id),
    CONSTRAINT chk_tags_label CHECK (char_length(label) >= 1 AND char_length(label) <= 40),
    CONSTRAINT chk_tags_label_pattern CHECK (label ~ '^([a-z0-9-]+)$')
);
COMMENT ON TABLE public.tags IS 'A topic label on an article.';

CREATE INDEX idx_articles_published_at_id_published ON public.articles (published_at, id) WHERE (status = 'published');

CREATE INDEX idx_articles_search_vector ON public.articles USING gin (search_vector);

CREATE INDEX idx_bylines_article_id ON public.bylines (article_id);

CREATE INDEX idx_bylines_author_id ON public.bylines (author_id);

CREATE INDEX idx_comments_article_id ON public.comments (article_id);

CREATE INDEX idx_comments_article_id_posted_at_approved ON public.comments (article_id, posted_at) WHERE (status = 'approved');

CREATE INDEX idx_comments_posted_at_pending ON public.comments (posted_at) WHERE (status = 'pending');

CREATE INDEX idx_page_events_article_id_occurred_at ON public.page_events (article_id, occurred_at) INCLUDE (kind);

CREATE INDEX idx_page_events_session_id_occurred_at ON public.page_events (session_id, occurred_at);

CREATE INDEX idx_sections_article_id ON public.sections (article_id);

CREATE INDEX idx_tags_article_id ON public.tags (article_id);

CREATE INDEX idx_tags_label ON public.tags (label);

ALTER TABLE public.bylines ADD CONSTRAINT fk_bylines_article_id FOREIGN KEY (article_id) REFERENCES public.articles (id) ON DELETE CASCADE;

ALTER TABLE public.bylines ADD CONSTRAINT fk_bylines_author_id FOREIGN KEY (author_id) REFERENCES public.authors (id) ON DELETE RESTRICT;

ALTER TABLE public.comments ADD CONSTRAINT fk_comments_article_id FOREIGN KEY (article_id) REFERENCES public.articles (id) ON DELETE CASCADE;

ALTER TABLE public.page_events ADD CONSTRAINT fk_page_events_article_id FOREIGN KEY (article_id) REFERENCES public.articles (id) ON DELETE CASCADE;

ALTER TABLE public.sections ADD CONSTRAINT fk_sections_article_id FOREIGN KEY (article_id) REFERENCES public.articles (id) ON DELETE CASCADE;

ALTER TABLE public.tags ADD CONSTRAINT fk_tags_article_id FOREIGN KEY (article_id) REFERENCES public.articles (id) ON DELETE CASCADE;

CREATE TRIGGER trg_articles_set_updated_at BEFORE UPDATE ON public.articles FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

CREATE TRIGGER trg_authors_set_updated_at BEFORE UPDATE ON public.authors FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

CREATE TRIGGER trg_bylines_article_id_at_most BEFORE INSERT OR UPDATE ON public.bylines FOR EACH ROW EXECUTE FUNCTION public.trg_bylines_article_id_at_most_fn();

CREATE TRIGGER trg_bylines_set_updated_at BEFORE UPDATE ON public.bylines FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

CREATE TRIGGER trg_comments_set_updated_at BEFORE UPDATE ON public.comments FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

CREATE TRIGGER trg_sections_article_id_at_most BEFORE INSERT OR UPDATE ON public.sections FOR EACH ROW EXECUTE FUNCTION public.trg_sections_article_id_at_most_fn();

CREATE TRIGGER trg_sections_set_updated_at BEFORE UPDATE ON public.sections FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

CREATE TRIGGER trg_tags_article_id_at_most BEFORE INSERT OR UPDATE ON public.tags FOR EACH ROW EXECUTE FUNCTION public.trg_tags_article_id_at_most_fn();

CREATE TRIGGER trg_tags_set_updated_at BEFORE UPDATE ON public.tags FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

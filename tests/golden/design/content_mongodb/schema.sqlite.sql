CREATE TABLE articles (
    id integer NOT NULL,
    slug text NOT NULL,
    title text NOT NULL,
    summary text,
    status text NOT NULL DEFAULT 'draft',
    published_at text,
    metadata text,
    created_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT pk_articles PRIMARY KEY (id),
    CONSTRAINT uq_articles_slug UNIQUE (slug),
    CONSTRAINT chk_articles_slug CHECK (length(slug) >= 1 AND length(slug) <= 160),
    CONSTRAINT chk_articles_status CHECK (status IN ('draft', 'published', 'archived')),
    CONSTRAINT chk_articles_summary CHECK (length(summary) <= 600),
    CONSTRAINT chk_articles_title CHECK (length(title) >= 1 AND length(title) <= 200)
);

CREATE TABLE authors (
    id integer NOT NULL,
    display_name text NOT NULL,
    email text NOT NULL,
    bio text,
    created_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT pk_authors PRIMARY KEY (id),
    CONSTRAINT uq_authors_email UNIQUE (email),
    CONSTRAINT chk_authors_display_name CHECK (length(display_name) >= 1 AND length(display_name) <= 120),
    CONSTRAINT chk_authors_email CHECK (length(email) <= 254 AND email LIKE '%_@_%._%' AND email = lower(email))
);

CREATE TABLE comments (
    id integer NOT NULL,
    article_id integer NOT NULL,
    reader_name text NOT NULL,
    body text NOT NULL,
    status text NOT NULL DEFAULT 'pending',
    posted_at text NOT NULL,
    created_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT pk_comments PRIMARY KEY (id),
    CONSTRAINT chk_comments_reader_name CHECK (length(reader_name) >= 1 AND length(reader_name) <= 80),
    CONSTRAINT chk_comments_status CHECK (status IN ('pending', 'approved', 'rejected')),
    CONSTRAINT fk_comments_article_id FOREIGN KEY (article_id) REFERENCES articles (id) ON DELETE CASCADE
);

CREATE TABLE page_events (
    id integer NOT NULL,
    article_id integer NOT NULL,
    session_id text NOT NULL,
    kind text NOT NULL,
    payload text,
    occurred_at text NOT NULL,
    created_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT pk_page_events PRIMARY KEY (id),
    CONSTRAINT chk_page_events_kind CHECK (kind IN ('view', 'scroll', 'share', 'click')),
    CONSTRAINT fk_page_events_article_id FOREIGN KEY (article_id) REFERENCES articles (id) ON DELETE CASCADE
);

CREATE TABLE sections (
    id integer NOT NULL,
    article_id integer NOT NULL,
    position integer NOT NULL,
    heading text,
    body text NOT NULL,
    created_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT pk_sections PRIMARY KEY (id),
    CONSTRAINT chk_sections_heading CHECK (length(heading) <= 200),
    CONSTRAINT chk_sections_position CHECK (position >= 1 AND position <= 50),
    CONSTRAINT fk_sections_article_id FOREIGN KEY (article_id) REFERENCES articles (id) ON DELETE CASCADE
);

CREATE TABLE tags (
    id integer NOT NULL,
    article_id integer NOT NULL,
    label text NOT NULL,
    created_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT pk_tags PRIMARY KEY (id),
    CONSTRAINT chk_tags_label CHECK (length(label) >= 1 AND length(label) <= 40),
    CONSTRAINT fk_tags_article_id FOREIGN KEY (article_id) REFERENCES articles (id) ON DELETE CASCADE
);

CREATE TABLE bylines (
    id integer NOT NULL,
    article_id integer NOT NULL,
    author_id integer NOT NULL,
    credited_name text NOT NULL,
    role text NOT NULL DEFAULT 'author',
    created_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT pk_bylines PRIMARY KEY (id),
    CONSTRAINT chk_bylines_credited_name CHECK (length(credited_name) >= 1 AND length(credited_name) <= 120),
    CONSTRAINT chk_bylines_role CHECK (role IN ('author', 'editor', 'photographer', 'translator')),
    CONSTRAINT fk_bylines_article_id FOREIGN KEY (article_id) REFERENCES articles (id) ON DELETE CASCADE,
    CONSTRAINT fk_bylines_author_id FOREIGN KEY (author_id) REFERENCES authors (id) ON DELETE RESTRICT
);

CREATE VIRTUAL TABLE articles_fts USING fts5(title, summary, content='articles', content_rowid='id');

CREATE INDEX idx_articles_published_at_id_published ON articles (published_at, id) WHERE status = 'published';

CREATE INDEX idx_comments_article_id ON comments (article_id);

CREATE INDEX idx_comments_article_id_posted_at_approved ON comments (article_id, posted_at) WHERE status = 'approved';

CREATE INDEX idx_comments_posted_at_pending ON comments (posted_at) WHERE status = 'pending';

CREATE INDEX idx_page_events_article_id_occurred_at ON page_events (article_id, occurred_at);

CREATE INDEX idx_page_events_session_id_occurred_at ON page_events (session_id, occurred_at);

CREATE INDEX idx_sections_article_id ON sections (article_id);

CREATE INDEX idx_tags_article_id ON tags (article_id);

CREATE INDEX idx_tags_label ON tags (label);

CREATE INDEX idx_bylines_article_id ON bylines (article_id);

CREATE INDEX idx_bylines_author_id ON bylines (author_id);

CREATE TRIGGER trg_articles_fts_delete AFTER DELETE ON articles
FOR EACH ROW
BEGIN
    INSERT INTO articles_fts(articles_fts, rowid, title, summary) VALUES ('delete', OLD.id, OLD.title, OLD.summary);
END;

CREATE TRIGGER trg_articles_fts_insert AFTER INSERT ON articles
FOR EACH ROW
BEGIN
    INSERT INTO articles_fts(rowid, title, summary) VALUES (NEW.id, NEW.title, NEW.summary);
END;

CREATE TRIGGER trg_articles_fts_update AFTER UPDATE OF id, title, summary ON articles
FOR EACH ROW
BEGIN
    INSERT INTO articles_fts(articles_fts, rowid, title, summary) VALUES ('delete', OLD.id, OLD.title, OLD.summary);
    INSERT INTO articles_fts(rowid, title, summary) VALUES (NEW.id, NEW.title, NEW.summary);
END;

CREATE TRIGGER trg_articles_set_updated_at AFTER UPDATE ON articles
FOR EACH ROW
WHEN NEW.updated_at IS OLD.updated_at
BEGIN
    UPDATE articles SET updated_at = CURRENT_TIMESTAMP WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER trg_authors_set_updated_at AFTER UPDATE ON authors
FOR EACH ROW
WHEN NEW.updated_at IS OLD.updated_at
BEGIN
    UPDATE authors SET updated_at = CURRENT_TIMESTAMP WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER trg_bylines_article_id_at_most_insert BEFORE INSERT ON bylines
FOR EACH ROW
WHEN NEW.article_id IS NOT NULL AND (SELECT count(*) FROM bylines AS o WHERE o.article_id = NEW.article_id) >= 5
BEGIN
    SELECT RAISE(ABORT, 'trg_bylines_article_id_at_most: at most 5 bylines per article');
END;

CREATE TRIGGER trg_bylines_article_id_at_most_update BEFORE UPDATE ON bylines
FOR EACH ROW
WHEN NEW.article_id IS NOT NULL AND (SELECT count(*) FROM bylines AS o WHERE o.article_id = NEW.article_id AND o.rowid <> OLD.rowid) >= 5
BEGIN
    SELECT RAISE(ABORT, 'trg_bylines_article_id_at_most: at most 5 bylines per article');
END;

CREATE TRIGGER trg_bylines_set_updated_at AFTER UPDATE ON bylines
FOR EACH ROW
WHEN NEW.updated_at IS OLD.updated_at
BEGIN
    UPDATE bylines SET updated_at = CURRENT_TIMESTAMP WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER trg_comments_set_updated_at AFTER UPDATE ON comments
FOR EACH ROW
WHEN NEW.updated_at IS OLD.updated_at
BEGIN
    UPDATE comments SET updated_at = CURRENT_TIMESTAMP WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER trg_sections_article_id_at_most_insert BEFORE INSERT ON sections
FOR EACH ROW
WHEN NEW.article_id IS NOT NULL AND (SELECT count(*) FROM sections AS o WHERE o.article_id = NEW.article_id) >= 30
BEGIN
    SELECT RAISE(ABORT, 'trg_sections_article_id_at_most: at most 30 sections per article');
END;

CREATE TRIGGER trg_sections_article_id_at_most_update BEFORE UPDATE ON sections
FOR EACH ROW
WHEN NEW.article_id IS NOT NULL AND (SELECT count(*) FROM sections AS o WHERE o.article_id = NEW.article_id AND o.rowid <> OLD.rowid) >= 30
BEGIN
    SELECT RAISE(ABORT, 'trg_sections_article_id_at_most: at most 30 sections per article');
END;

CREATE TRIGGER trg_sections_set_updated_at AFTER UPDATE ON sections
FOR EACH ROW
WHEN NEW.updated_at IS OLD.updated_at
BEGIN
    UPDATE sections SET updated_at = CURRENT_TIMESTAMP WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER trg_tags_article_id_at_most_insert BEFORE INSERT ON tags
FOR EACH ROW
WHEN NEW.article_id IS NOT NULL AND (SELECT count(*) FROM tags AS o WHERE o.article_id = NEW.article_id) >= 10
BEGIN
    SELECT RAISE(ABORT, 'trg_tags_article_id_at_most: at most 10 tags per article');
END;

CREATE TRIGGER trg_tags_article_id_at_most_update BEFORE UPDATE ON tags
FOR EACH ROW
WHEN NEW.article_id IS NOT NULL AND (SELECT count(*) FROM tags AS o WHERE o.article_id = NEW.article_id AND o.rowid <> OLD.rowid) >= 10
BEGIN
    SELECT RAISE(ABORT, 'trg_tags_article_id_at_most: at most 10 tags per article');
END;

CREATE TRIGGER trg_tags_set_updated_at AFTER UPDATE ON tags
FOR EACH ROW
WHEN NEW.updated_at IS OLD.updated_at
BEGIN
    UPDATE tags SET updated_at = CURRENT_TIMESTAMP WHERE rowid = NEW.rowid;
END;

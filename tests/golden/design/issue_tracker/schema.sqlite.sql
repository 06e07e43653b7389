CREATE TABLE organisations (
    id integer NOT NULL,
    name text NOT NULL,
    slug text NOT NULL,
    "plan" text NOT NULL DEFAULT 'free',
    deleted_at text,
    created_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT pk_organisations PRIMARY KEY (id),
    CONSTRAINT chk_organisations_name CHECK (length(name) >= 1 AND length(name) <= 120),
    CONSTRAINT chk_organisations_plan CHECK (plan IN ('free', 'team', 'enterprise')),
    CONSTRAINT chk_organisations_slug CHECK (length(slug) >= 1 AND length(slug) <= 60)
);

CREATE TABLE members (
    id integer NOT NULL,
    organisation_id integer NOT NULL,
    email text NOT NULL,
    display_name text NOT NULL,
    role text NOT NULL DEFAULT 'member',
    deleted_at text,
    created_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT pk_members PRIMARY KEY (id),
    CONSTRAINT uq_members_organisation_id_id UNIQUE (organisation_id, id),
    CONSTRAINT chk_members_display_name CHECK (length(display_name) >= 1 AND length(display_name) <= 100),
    CONSTRAINT chk_members_email CHECK (length(email) <= 254 AND email LIKE '%_@_%._%' AND email = lower(email)),
    CONSTRAINT chk_members_role CHECK (role IN ('owner', 'admin', 'member', 'guest')),
    CONSTRAINT fk_members_organisation_id FOREIGN KEY (organisation_id) REFERENCES organisations (id) ON DELETE CASCADE
);

CREATE TABLE projects (
    id integer NOT NULL,
    organisation_id integer NOT NULL,
    "key" text NOT NULL,
    name text NOT NULL,
    deleted_at text,
    created_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT pk_projects PRIMARY KEY (id),
    CONSTRAINT uq_projects_organisation_id_id UNIQUE (organisation_id, id),
    CONSTRAINT chk_projects_key CHECK (length(key) >= 1 AND length(key) <= 10),
    CONSTRAINT chk_projects_name CHECK (length(name) >= 1 AND length(name) <= 120),
    CONSTRAINT fk_projects_organisation_id FOREIGN KEY (organisation_id) REFERENCES organisations (id) ON DELETE CASCADE
);

CREATE TABLE audit_events (
    id integer NOT NULL,
    organisation_id integer NOT NULL,
    actor_id integer,
    "action" text NOT NULL,
    object_type text NOT NULL,
    object_id integer NOT NULL,
    details text,
    ip text,
    created_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT pk_audit_events PRIMARY KEY (id),
    CONSTRAINT chk_audit_events_action CHECK (action IN ('create', 'update', 'delete', 'login')),
    CONSTRAINT chk_audit_events_object_id CHECK (object_id >= 1),
    CONSTRAINT chk_audit_events_object_type CHECK (length(object_type) >= 1 AND length(object_type) <= 40),
    CONSTRAINT fk_audit_events_actor_id FOREIGN KEY (organisation_id, actor_id) REFERENCES members (organisation_id, id) ON DELETE RESTRICT,
    CONSTRAINT fk_audit_events_organisation_id FOREIGN KEY (organisation_id) REFERENCES organisations (id) ON DELETE RESTRICT
);

CREATE TABLE issues (
    id integer NOT NULL,
    organisation_id integer NOT NULL,
    project_id integer NOT NULL,
    reporter_id integer NOT NULL,
    assignee_id integer,
    number integer NOT NULL,
    title text NOT NULL,
    body text,
    status text NOT NULL DEFAULT 'open',
    priority integer NOT NULL DEFAULT 2,
    due_on text,
    version integer NOT NULL DEFAULT 1,
    deleted_at text,
    created_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT pk_issues PRIMARY KEY (id),
    CONSTRAINT uq_issues_organisation_id_id UNIQUE (organisation_id, id),
    CONSTRAINT chk_issues_number CHECK (number >= 1),
    CONSTRAINT chk_issues_priority CHECK (priority >= 0 AND priority <= 4),
    CONSTRAINT chk_issues_status CHECK (status IN ('open', 'in_progress', 'done', 'closed')),
    CONSTRAINT chk_issues_title CHECK (length(title) >= 1 AND length(title) <= 300),
    CONSTRAINT fk_issues_assignee_id FOREIGN KEY (organisation_id, assignee_id) REFERENCES members (organisation_id, id) ON DELETE RESTRICT,
    CONSTRAINT fk_issues_organisation_id FOREIGN KEY (organisation_id) REFERENCES organisations (id) ON DELETE RESTRICT,
    CONSTRAINT fk_issues_project_id FOREIGN KEY (organisation_id, project_id) REFERENCES projects (organisation_id, id) ON DELETE CASCADE,
    CONSTRAINT fk_issues_reporter_id FOREIGN KEY (organisation_id, reporter_id) REFERENCES members (organisation_id, id) ON DELETE RESTRICT
);

CREATE TABLE labels (
    id integer NOT NULL,
    organisation_id integer NOT NULL,
    project_id integer NOT NULL,
    name text NOT NULL,
    colour text NOT NULL,
    deleted_at text,
    created_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT pk_labels PRIMARY KEY (id),
    CONSTRAINT uq_labels_organisation_id_id UNIQUE (organisation_id, id),
    CONSTRAINT chk_labels_colour CHECK (length(colour) >= 1 AND length(colour) <= 7),
    CONSTRAINT chk_labels_name CHECK (length(name) >= 1 AND length(name) <= 50),
    CONSTRAINT fk_labels_organisation_id FOREIGN KEY (organisation_id) REFERENCES organisations (id) ON DELETE RESTRICT,
    CONSTRAINT fk_labels_project_id FOREIGN KEY (organisation_id, project_id) REFERENCES projects (organisation_id, id) ON DELETE CASCADE
);

CREATE TABLE comments (
    id integer NOT NULL,
    organisation_id integer NOT NULL,
    issue_id integer NOT NULL,
    author_id integer NOT NULL,
    body text NOT NULL,
    deleted_at text,
    created_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT pk_comments PRIMARY KEY (id),
    CONSTRAINT fk_comments_author_id FOREIGN KEY (organisation_id, author_id) REFERENCES members (organisation_id, id) ON DELETE RESTRICT,
    CONSTRAINT fk_comments_issue_id FOREIGN KEY (organisation_id, issue_id) REFERENCES issues (organisation_id, id) ON DELETE CASCADE,
    CONSTRAINT fk_comments_organisation_id FOREIGN KEY (organisation_id) REFERENCES organisations (id) ON DELETE RESTRICT
);

CREATE TABLE issue_labels (
    organisation_id integer NOT NULL,
    issue_id integer NOT NULL,
    label_id integer NOT NULL,
    created_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT pk_issue_labels PRIMARY KEY (organisation_id, issue_id, label_id),
    CONSTRAINT fk_issue_labels_issue_id FOREIGN KEY (organisation_id, issue_id) REFERENCES issues (organisation_id, id) ON DELETE CASCADE,
    CONSTRAINT fk_issue_labels_label_id FOREIGN KEY (organisation_id, label_id) REFERENCES labels (organisation_id, id) ON DELETE CASCADE
);

CREATE VIRTUAL TABLE issues_fts USING fts5(title, body, content='issues', content_rowid='id');

CREATE UNIQUE INDEX uq_organisations_slug ON organisations (slug) WHERE deleted_at IS NULL;

CREATE UNIQUE INDEX uq_members_organisation_id_email ON members (organisation_id, email) WHERE deleted_at IS NULL;

CREATE UNIQUE INDEX uq_projects_organisation_id_key ON projects (organisation_id, "key") WHERE deleted_at IS NULL;

CREATE INDEX idx_audit_events_organisation_id_actor_id ON audit_events (organisation_id, actor_id);

CREATE INDEX idx_audit_events_organisation_id_created_at ON audit_events (organisation_id, created_at);

CREATE INDEX idx_issues_organisation_id_assignee_id_updated_at ON issues (organisation_id, assignee_id, updated_at);

CREATE INDEX idx_issues_organisation_id_project_id_status_priori_ce0894fa ON issues (organisation_id, project_id, status, priority, updated_at DESC);

CREATE INDEX idx_issues_organisation_id_reporter_id ON issues (organisation_id, reporter_id);

CREATE UNIQUE INDEX uq_issues_project_id_number ON issues (project_id, number) WHERE deleted_at IS NULL;

CREATE INDEX idx_labels_organisation_id_project_id ON labels (organisation_id, project_id);

CREATE UNIQUE INDEX uq_labels_project_id_name ON labels (project_id, name) WHERE deleted_at IS NULL;

CREATE INDEX idx_comments_organisation_id_author_id ON comments (organisation_id, author_id);

CREATE INDEX idx_comments_organisation_id_issue_id_created_at ON comments (organisation_id, issue_id, created_at);

CREATE INDEX idx_issue_labels_organisation_id_label_id ON issue_labels (organisation_id, label_id);

CREATE TRIGGER trg_comments_set_updated_at AFTER UPDATE ON comments
FOR EACH ROW
WHEN NEW.updated_at IS OLD.updated_at
BEGIN
    UPDATE comments SET updated_at = CURRENT_TIMESTAMP WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER trg_issues_fts_delete AFTER DELETE ON issues
FOR EACH ROW
BEGIN
    INSERT INTO issues_fts(issues_fts, rowid, title, body) VALUES ('delete', OLD.id, OLD.title, OLD.body);
END;

CREATE TRIGGER trg_issues_fts_insert AFTER INSERT ON issues
FOR EACH ROW
BEGIN
    INSERT INTO issues_fts(rowid, title, body) VALUES (NEW.id, NEW.title, NEW.body);
END;

CREATE TRIGGER trg_issues_fts_update AFTER UPDATE OF id, title, body ON issues
FOR EACH ROW
BEGIN
    INSERT INTO issues_fts(issues_fts, rowid, title, body) VALUES ('delete', OLD.id, OLD.title, OLD.body);
    INSERT INTO issues_fts(rowid, title, body) VALUES (NEW.id, NEW.title, NEW.body);
END;

CREATE TRIGGER trg_issues_set_updated_at AFTER UPDATE ON issues
FOR EACH ROW
WHEN NEW.updated_at IS OLD.updated_at
BEGIN
    UPDATE issues SET updated_at = CURRENT_TIMESTAMP WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER trg_issues_status_moves BEFORE UPDATE ON issues
FOR EACH ROW
WHEN OLD.status IS NOT NULL AND NEW.status IS NOT NULL AND NEW.status <> OLD.status AND NOT ((OLD.status = 'open' AND NEW.status IN ('in_progress', 'closed')) OR (OLD.status = 'in_progress' AND NEW.status IN ('done', 'open')) OR (OLD.status = 'done' AND NEW.status IN ('closed')))
BEGIN
    SELECT RAISE(ABORT, 'trg_issues_status_moves: status moves only open -> in_progress | closed; in_progress -> done | open; done -> closed');
END;

CREATE TRIGGER trg_labels_set_updated_at AFTER UPDATE ON labels
FOR EACH ROW
WHEN NEW.updated_at IS OLD.updated_at
BEGIN
    UPDATE labels SET updated_at = CURRENT_TIMESTAMP WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER trg_members_set_updated_at AFTER UPDATE ON members
FOR EACH ROW
WHEN NEW.updated_at IS OLD.updated_at
BEGIN
    UPDATE members SET updated_at = CURRENT_TIMESTAMP WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER trg_organisations_set_updated_at AFTER UPDATE ON organisations
FOR EACH ROW
WHEN NEW.updated_at IS OLD.updated_at
BEGIN
    UPDATE organisations SET updated_at = CURRENT_TIMESTAMP WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER trg_projects_set_updated_at AFTER UPDATE ON projects
FOR EACH ROW
WHEN NEW.updated_at IS OLD.updated_at
BEGIN
    UPDATE projects SET updated_at = CURRENT_TIMESTAMP WHERE rowid = NEW.rowid;
END;

CREATE TABLE accounts (
    id integer NOT NULL,
    email text NOT NULL,
    name text NOT NULL,
    created_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT pk_accounts PRIMARY KEY (id),
    CONSTRAINT uq_accounts_email UNIQUE (email),
    CONSTRAINT chk_accounts_email CHECK (length(email) <= 254 AND email LIKE '%_@_%._%' AND email = lower(email)),
    CONSTRAINT chk_accounts_name CHECK (length(name) >= 1 AND length(name) <= 120)
);

CREATE TABLE projects (
    id integer NOT NULL,
    account_id integer NOT NULL,
    title text NOT NULL,
    archived integer NOT NULL DEFAULT 0,
    created_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT pk_projects PRIMARY KEY (id),
    CONSTRAINT chk_projects_archived CHECK (archived IN (0, 1)),
    CONSTRAINT chk_projects_title CHECK (length(title) >= 1 AND length(title) <= 200),
    CONSTRAINT fk_projects_account_id FOREIGN KEY (account_id) REFERENCES accounts (id) ON DELETE CASCADE
);

CREATE TABLE tasks (
    id integer NOT NULL,
    project_id integer NOT NULL,
    assignee_id integer,
    title text NOT NULL,
    status text NOT NULL,
    due_date text,
    created_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT pk_tasks PRIMARY KEY (id),
    CONSTRAINT chk_tasks_status CHECK (status IN ('todo', 'doing', 'done')),
    CONSTRAINT chk_tasks_title CHECK (length(title) >= 1 AND length(title) <= 300),
    CONSTRAINT fk_tasks_assignee_id FOREIGN KEY (assignee_id) REFERENCES accounts (id) ON DELETE SET NULL,
    CONSTRAINT fk_tasks_project_id FOREIGN KEY (project_id) REFERENCES projects (id) ON DELETE CASCADE
);

CREATE INDEX idx_projects_account_id ON projects (account_id);

CREATE INDEX idx_projects_account_id_created_at_false ON projects (account_id, created_at) WHERE archived = 0;

CREATE INDEX idx_tasks_assignee_id_updated_at ON tasks (assignee_id, updated_at);

CREATE INDEX idx_tasks_project_id_status_due_date ON tasks (project_id, status, due_date);

CREATE TRIGGER trg_accounts_set_updated_at AFTER UPDATE ON accounts
FOR EACH ROW
WHEN NEW.updated_at IS OLD.updated_at
BEGIN
    UPDATE accounts SET updated_at = CURRENT_TIMESTAMP WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER trg_projects_set_updated_at AFTER UPDATE ON projects
FOR EACH ROW
WHEN NEW.updated_at IS OLD.updated_at
BEGIN
    UPDATE projects SET updated_at = CURRENT_TIMESTAMP WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER trg_tasks_set_updated_at AFTER UPDATE ON tasks
FOR EACH ROW
WHEN NEW.updated_at IS OLD.updated_at
BEGIN
    UPDATE tasks SET updated_at = CURRENT_TIMESTAMP WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER trg_tasks_status_moves BEFORE UPDATE ON tasks
FOR EACH ROW
WHEN OLD.status IS NOT NULL AND NEW.status IS NOT NULL AND NEW.status <> OLD.status AND NOT ((OLD.status = 'todo' AND NEW.status IN ('doing', 'done')) OR (OLD.status = 'doing' AND NEW.status IN ('todo', 'done')) OR (OLD.status = 'done' AND NEW.status IN ('doing')))
BEGIN
    SELECT RAISE(ABORT, 'trg_tasks_status_moves: status moves only todo -> doing | done; doing -> todo | done; done -> doing');
END;

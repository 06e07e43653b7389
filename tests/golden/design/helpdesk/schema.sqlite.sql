CREATE TABLE agents (
    id integer NOT NULL,
    email text NOT NULL,
    name text NOT NULL,
    active integer NOT NULL DEFAULT 1,
    created_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT pk_agents PRIMARY KEY (id),
    CONSTRAINT uq_agents_email UNIQUE (email),
    CONSTRAINT chk_agents_active CHECK (active IN (0, 1)),
    CONSTRAINT chk_agents_email CHECK (length(email) <= 254 AND email LIKE '%_@_%._%' AND email = lower(email)),
    CONSTRAINT chk_agents_name CHECK (length(name) >= 1 AND length(name) <= 120)
);

CREATE TABLE customers (
    id integer NOT NULL,
    email text NOT NULL,
    name text NOT NULL,
    tier text NOT NULL DEFAULT 'standard',
    created_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT pk_customers PRIMARY KEY (id),
    CONSTRAINT uq_customers_email UNIQUE (email),
    CONSTRAINT chk_customers_email CHECK (length(email) <= 254 AND email LIKE '%_@_%._%' AND email = lower(email)),
    CONSTRAINT chk_customers_name CHECK (length(name) >= 1 AND length(name) <= 120),
    CONSTRAINT chk_customers_tier CHECK (tier IN ('standard', 'premium'))
);

CREATE TABLE tickets (
    id integer NOT NULL,
    requester_id integer NOT NULL,
    assignee_id integer,
    subject text NOT NULL,
    status text NOT NULL,
    priority text NOT NULL DEFAULT 'normal',
    channel text NOT NULL,
    opened_at text NOT NULL,
    sla_due_at text NOT NULL,
    first_response_at text,
    solved_at text,
    created_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT pk_tickets PRIMARY KEY (id),
    CONSTRAINT chk_tickets_channel CHECK (channel IN ('email', 'chat', 'phone')),
    CONSTRAINT chk_tickets_priority CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    CONSTRAINT chk_tickets_sla_due_at_opened_at CHECK (sla_due_at > opened_at),
    CONSTRAINT chk_tickets_solved_after_opened CHECK (solved_at is null or solved_at >= opened_at),
    CONSTRAINT chk_tickets_status CHECK (status IN ('new', 'open', 'pending', 'solved', 'closed')),
    CONSTRAINT chk_tickets_subject CHECK (length(subject) >= 1 AND length(subject) <= 200),
    CONSTRAINT fk_tickets_assignee_id FOREIGN KEY (assignee_id) REFERENCES agents (id) ON DELETE SET NULL,
    CONSTRAINT fk_tickets_requester_id FOREIGN KEY (requester_id) REFERENCES customers (id) ON DELETE RESTRICT
);

CREATE TABLE messages (
    id integer NOT NULL,
    ticket_id integer NOT NULL,
    from_agent integer NOT NULL,
    body text NOT NULL,
    sent_at text NOT NULL,
    created_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT pk_messages PRIMARY KEY (id),
    CONSTRAINT chk_messages_from_agent CHECK (from_agent IN (0, 1)),
    CONSTRAINT fk_messages_ticket_id FOREIGN KEY (ticket_id) REFERENCES tickets (id) ON DELETE CASCADE
);

CREATE INDEX idx_tickets_assignee_id_status_sla_due_at ON tickets (assignee_id, status, sla_due_at);

CREATE INDEX idx_tickets_opened_at ON tickets (opened_at);

CREATE INDEX idx_tickets_requester_id_opened_at_id ON tickets (requester_id, opened_at, id);

CREATE INDEX idx_tickets_sla_due_at ON tickets (sla_due_at) WHERE first_response_at IS NULL;

CREATE INDEX idx_tickets_solved_at ON tickets (solved_at);

CREATE INDEX idx_messages_ticket_id_sent_at_id ON messages (ticket_id, sent_at, id);

CREATE TRIGGER trg_agents_set_updated_at AFTER UPDATE ON agents
FOR EACH ROW
WHEN NEW.updated_at IS OLD.updated_at
BEGIN
    UPDATE agents SET updated_at = CURRENT_TIMESTAMP WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER trg_customers_set_updated_at AFTER UPDATE ON customers
FOR EACH ROW
WHEN NEW.updated_at IS OLD.updated_at
BEGIN
    UPDATE customers SET updated_at = CURRENT_TIMESTAMP WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER trg_tickets_set_updated_at AFTER UPDATE ON tickets
FOR EACH ROW
WHEN NEW.updated_at IS OLD.updated_at
BEGIN
    UPDATE tickets SET updated_at = CURRENT_TIMESTAMP WHERE rowid = NEW.rowid;
END;

-- Tenant-consistent references (foreign keys that overlap in part): every reference between
-- two tenant-owned tables includes the tenant key, so a row can only point at a parent of its
-- own tenant. Portable: loaded as it is into PostgreSQL, SQLite and MySQL/MariaDB.
CREATE TABLE org (
    id bigint NOT NULL PRIMARY KEY,
    name varchar(100) NOT NULL
);
CREATE TABLE project (
    org_id bigint NOT NULL,
    id bigint NOT NULL PRIMARY KEY,
    pkey varchar(10) NOT NULL,
    CONSTRAINT uq_project_org_id_id UNIQUE (org_id, id),
    CONSTRAINT uq_project_org_id_pkey UNIQUE (org_id, pkey),
    CONSTRAINT fk_project_org FOREIGN KEY (org_id) REFERENCES org (id)
);
CREATE TABLE member (
    org_id bigint NOT NULL,
    id bigint NOT NULL PRIMARY KEY,
    email varchar(200) NOT NULL,
    CONSTRAINT uq_member_org_id_id UNIQUE (org_id, id),
    CONSTRAINT uq_member_org_id_email UNIQUE (org_id, email),
    CONSTRAINT fk_member_org FOREIGN KEY (org_id) REFERENCES org (id)
);
CREATE TABLE label (
    org_id bigint NOT NULL,
    id bigint NOT NULL PRIMARY KEY,
    name varchar(50) NOT NULL,
    CONSTRAINT uq_label_org_id_id UNIQUE (org_id, id),
    CONSTRAINT fk_label_org FOREIGN KEY (org_id) REFERENCES org (id)
);
CREATE TABLE issue (
    id bigint NOT NULL PRIMARY KEY,
    org_id bigint NOT NULL,
    project_id bigint NOT NULL,
    reporter_id bigint NOT NULL,
    reviewer_id bigint,
    assignee_id bigint,
    number integer NOT NULL,
    title varchar(200) NOT NULL,
    CONSTRAINT uq_issue_org_id_id UNIQUE (org_id, id),
    CONSTRAINT uq_issue_project_id_number UNIQUE (project_id, number),
    CONSTRAINT chk_issue_number CHECK (number >= 1),
    CONSTRAINT fk_issue_org FOREIGN KEY (org_id) REFERENCES org (id),
    CONSTRAINT fk_issue_project FOREIGN KEY (org_id, project_id) REFERENCES project (org_id, id),
    CONSTRAINT fk_issue_reporter FOREIGN KEY (org_id, reporter_id) REFERENCES member (org_id, id),
    CONSTRAINT fk_issue_reviewer FOREIGN KEY (org_id, reviewer_id) REFERENCES member (org_id, id),
    CONSTRAINT fk_issue_assignee FOREIGN KEY (assignee_id) REFERENCES member (id)
        ON DELETE SET NULL
);
CREATE TABLE issue_label (
    org_id bigint NOT NULL,
    issue_id bigint NOT NULL,
    label_id bigint NOT NULL,
    CONSTRAINT pk_issue_label PRIMARY KEY (org_id, issue_id, label_id),
    CONSTRAINT fk_issue_label_issue FOREIGN KEY (org_id, issue_id) REFERENCES issue (org_id, id),
    CONSTRAINT fk_issue_label_label FOREIGN KEY (org_id, label_id) REFERENCES label (org_id, id)
);

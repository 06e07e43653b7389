CREATE TABLE `organisations` (
  `id` bigint NOT NULL AUTO_INCREMENT,
  `name` varchar(120) NOT NULL,
  `slug` varchar(60) NOT NULL,
  `plan` varchar(10) NOT NULL DEFAULT 'free',
  `deleted_at` datetime(6) NULL,
  `not_deleted` tinyint GENERATED ALWAYS AS (if(deleted_at is null, 1, null)) STORED,
  `created_at` datetime(6) NOT NULL DEFAULT current_timestamp(6),
  `updated_at` datetime(6) NOT NULL DEFAULT current_timestamp(6) ON UPDATE current_timestamp(6),
  PRIMARY KEY (`id`),
  UNIQUE KEY `uq_organisations_slug` (`slug`, `not_deleted`),
  CONSTRAINT `chk_organisations_name` CHECK (char_length(name) >= 1),
  CONSTRAINT `chk_organisations_plan` CHECK (plan in ('free', 'team', 'enterprise')),
  CONSTRAINT `chk_organisations_slug` CHECK (char_length(slug) >= 1)
) COMMENT='A customer account (the tenant).';

CREATE TABLE `members` (
  `id` bigint NOT NULL AUTO_INCREMENT,
  `organisation_id` bigint NOT NULL,
  `email` varchar(254) NOT NULL COMMENT 'PII: personal data; encrypt at rest.',
  `display_name` varchar(100) NOT NULL COMMENT 'PII: personal data; encrypt at rest.',
  `role` varchar(6) NOT NULL DEFAULT 'member',
  `deleted_at` datetime(6) NULL,
  `not_deleted` tinyint GENERATED ALWAYS AS (if(deleted_at is null, 1, null)) STORED,
  `created_at` datetime(6) NOT NULL DEFAULT current_timestamp(6),
  `updated_at` datetime(6) NOT NULL DEFAULT current_timestamp(6) ON UPDATE current_timestamp(6),
  PRIMARY KEY (`id`),
  UNIQUE KEY `uq_members_organisation_id_email` (`organisation_id`, `email`, `not_deleted`),
  UNIQUE KEY `uq_members_organisation_id_id` (`organisation_id`, `id`),
  CONSTRAINT `fk_members_organisation_id` FOREIGN KEY (`organisation_id`) REFERENCES `organisations` (`id`) ON DELETE CASCADE,
  CONSTRAINT `chk_members_display_name` CHECK (char_length(display_name) >= 1),
  CONSTRAINT `chk_members_email` CHECK (email regexp '^[^@[:space:]]+@[^@[:space:]]+[.][^@[:space:]]+$'),
  CONSTRAINT `chk_members_role` CHECK (role in ('owner', 'admin', 'member', 'guest'))
) COMMENT='A person''s membership of an organisation.';

CREATE TABLE `projects` (
  `id` bigint NOT NULL AUTO_INCREMENT,
  `organisation_id` bigint NOT NULL,
  `key` varchar(10) NOT NULL COMMENT 'Short code used in issue numbers.',
  `name` varchar(120) NOT NULL,
  `deleted_at` datetime(6) NULL,
  `not_deleted` tinyint GENERATED ALWAYS AS (if(deleted_at is null, 1, null)) STORED,
  `created_at` datetime(6) NOT NULL DEFAULT current_timestamp(6),
  `updated_at` datetime(6) NOT NULL DEFAULT current_timestamp(6) ON UPDATE current_timestamp(6),
  PRIMARY KEY (`id`),
  UNIQUE KEY `uq_projects_organisation_id_id` (`organisation_id`, `id`),
  UNIQUE KEY `uq_projects_organisation_id_key` (`organisation_id`, `key`, `not_deleted`),
  CONSTRAINT `fk_projects_organisation_id` FOREIGN KEY (`organisation_id`) REFERENCES `organisations` (`id`) ON DELETE CASCADE,
  CONSTRAINT `chk_projects_key` CHECK (char_length(`key`) >= 1),
  CONSTRAINT `chk_projects_name` CHECK (char_length(name) >= 1)
) COMMENT='A body of work inside an organisation.';

CREATE TABLE `audit_events` (
  `id` bigint NOT NULL AUTO_INCREMENT,
  `organisation_id` bigint NOT NULL,
  `actor_id` bigint NULL,
  `action` varchar(6) NOT NULL,
  `object_type` varchar(40) NOT NULL,
  `object_id` int NOT NULL,
  `details` json NULL,
  `ip` varchar(45) NULL,
  `created_at` datetime(6) NOT NULL DEFAULT current_timestamp(6),
  PRIMARY KEY (`id`),
  KEY `idx_audit_events_created_at` (`created_at`),
  KEY `idx_audit_events_organisation_id_actor_id` (`organisation_id`, `actor_id`),
  KEY `idx_audit_events_organisation_id_created_at` (`organisation_id`, `created_at`),
  CONSTRAINT `fk_audit_events_actor_id` FOREIGN KEY (`organisation_id`, `actor_id`) REFERENCES `members` (`organisation_id`, `id`),
  CONSTRAINT `fk_audit_events_organisation_id` FOREIGN KEY (`organisation_id`) REFERENCES `organisations` (`id`),
  CONSTRAINT `chk_audit_events_action` CHECK (action in ('create', 'update', 'delete', 'login')),
  CONSTRAINT `chk_audit_events_ip` CHECK (ip is null or is_ipv4(ip) or is_ipv6(ip)),
  CONSTRAINT `chk_audit_events_object_id` CHECK (object_id >= 1),
  CONSTRAINT `chk_audit_events_object_type` CHECK (char_length(object_type) >= 1)
) COMMENT='One recorded change (who did what to which object).';

CREATE TABLE `issues` (
  `id` bigint NOT NULL AUTO_INCREMENT,
  `organisation_id` bigint NOT NULL,
  `project_id` bigint NOT NULL,
  `reporter_id` bigint NOT NULL,
  `assignee_id` bigint NULL,
  `number` int NOT NULL COMMENT 'Number within the project.',
  `title` varchar(300) NOT NULL,
  `body` text NULL,
  `status` varchar(11) NOT NULL DEFAULT 'open',
  `priority` tinyint NOT NULL DEFAULT 2,
  `due_on` date NULL,
  `version` int NOT NULL DEFAULT 1,
  `deleted_at` datetime(6) NULL,
  `not_deleted` tinyint GENERATED ALWAYS AS (if(deleted_at is null, 1, null)) STORED,
  `created_at` datetime(6) NOT NULL DEFAULT current_timestamp(6),
  `updated_at` datetime(6) NOT NULL DEFAULT current_timestamp(6) ON UPDATE current_timestamp(6),
  PRIMARY KEY (`id`),
  UNIQUE KEY `uq_issues_organisation_id_id` (`organisation_id`, `id`),
  UNIQUE KEY `uq_issues_project_id_number` (`project_id`, `number`, `not_deleted`),
  KEY `idx_issues_organisation_id_assignee_id_deleted_at_updated_at` (`organisation_id`, `assignee_id`, `deleted_at`, `updated_at`),
  KEY `idx_issues_organisation_id_project_id_status_delete_97ac64a6` (`organisation_id`, `project_id`, `status`, `deleted_at`, `priority`, `updated_at` DESC),
  KEY `idx_issues_organisation_id_reporter_id` (`organisation_id`, `reporter_id`),
  FULLTEXT KEY `idx_issues_title_body` (`title`, `body`),
  CONSTRAINT `fk_issues_assignee_id` FOREIGN KEY (`organisation_id`, `assignee_id`) REFERENCES `members` (`organisation_id`, `id`),
  CONSTRAINT `fk_issues_organisation_id` FOREIGN KEY (`organisation_id`) REFERENCES `organisations` (`id`),
  CONSTRAINT `fk_issues_project_id` FOREIGN KEY (`organisation_id`, `project_id`) REFERENCES `projects` (`organisation_id`, `id`) ON DELETE CASCADE,
  CONSTRAINT `fk_issues_reporter_id` FOREIGN KEY (`organisation_id`, `reporter_id`) REFERENCES `members` (`organisation_id`, `id`),
  CONSTRAINT `chk_issues_number` CHECK (number >= 1),
  CONSTRAINT `chk_issues_priority` CHECK (priority >= 0 AND priority <= 4),
  CONSTRAINT `chk_issues_status` CHECK (status in ('open', 'in_progress', 'done', 'closed')),
  CONSTRAINT `chk_issues_title` CHECK (char_length(title) >= 1)
) COMMENT='A unit of work to be tracked.';

CREATE TABLE `labels` (
  `id` bigint NOT NULL AUTO_INCREMENT,
  `organisation_id` bigint NOT NULL,
  `project_id` bigint NOT NULL,
  `name` varchar(50) NOT NULL,
  `colour` varchar(7) NOT NULL COMMENT 'Hex colour such as #aabbcc.',
  `deleted_at` datetime(6) NULL,
  `not_deleted` tinyint GENERATED ALWAYS AS (if(deleted_at is null, 1, null)) STORED,
  `created_at` datetime(6) NOT NULL DEFAULT current_timestamp(6),
  `updated_at` datetime(6) NOT NULL DEFAULT current_timestamp(6) ON UPDATE current_timestamp(6),
  PRIMARY KEY (`id`),
  UNIQUE KEY `uq_labels_organisation_id_id` (`organisation_id`, `id`),
  UNIQUE KEY `uq_labels_project_id_name` (`project_id`, `name`, `not_deleted`),
  KEY `idx_labels_organisation_id_project_id` (`organisation_id`, `project_id`),
  CONSTRAINT `fk_labels_organisation_id` FOREIGN KEY (`organisation_id`) REFERENCES `organisations` (`id`),
  CONSTRAINT `fk_labels_project_id` FOREIGN KEY (`organisation_id`, `project_id`) REFERENCES `projects` (`organisation_id`, `id`) ON DELETE CASCADE,
  CONSTRAINT `chk_labels_colour` CHECK (char_length(colour) >= 1),
  CONSTRAINT `chk_labels_name` CHECK (char_length(name) >= 1)
) COMMENT='A tag projects use to classify issues.';

CREATE TABLE `comments` (
  `id` bigint NOT NULL AUTO_INCREMENT,
  `organisation_id` bigint NOT NULL,
  `issue_id` bigint NOT NULL,
  `author_id` bigint NOT NULL,
  `body` text NOT NULL,
  `deleted_at` datetime(6) NULL,
  `created_at` datetime(6) NOT NULL DEFAULT current_timestamp(6),
  `updated_at` datetime(6) NOT NULL DEFAULT current_timestamp(6) ON UPDATE current_timestamp(6),
  PRIMARY KEY (`id`),
  KEY `idx_comments_organisation_id_author_id` (`organisation_id`, `author_id`),
  KEY `idx_comments_organisation_id_issue_id_deleted_at_created_at` (`organisation_id`, `issue_id`, `deleted_at`, `created_at`),
  CONSTRAINT `fk_comments_author_id` FOREIGN KEY (`organisation_id`, `author_id`) REFERENCES `members` (`organisation_id`, `id`),
  CONSTRAINT `fk_comments_issue_id` FOREIGN KEY (`organisation_id`, `issue_id`) REFERENCES `issues` (`organisation_id`, `id`) ON DELETE CASCADE,
  CONSTRAINT `fk_comments_organisation_id` FOREIGN KEY (`organisation_id`) REFERENCES `organisations` (`id`)
) COMMENT='A message on an issue.';

CREATE TABLE `issue_labels` (
  `organisation_id` bigint NOT NULL,
  `issue_id` bigint NOT NULL,
  `label_id` bigint NOT NULL,
  `created_at` datetime(6) NOT NULL DEFAULT current_timestamp(6),
  PRIMARY KEY (`organisation_id`, `issue_id`, `label_id`),
  KEY `idx_issue_labels_organisation_id_label_id` (`organisation_id`, `label_id`),
  CONSTRAINT `fk_issue_labels_issue_id` FOREIGN KEY (`organisation_id`, `issue_id`) REFERENCES `issues` (`organisation_id`, `id`) ON DELETE CASCADE,
  CONSTRAINT `fk_issue_labels_label_id` FOREIGN KEY (`organisation_id`, `label_id`) REFERENCES `labels` (`organisation_id`, `id`) ON DELETE CASCADE
) COMMENT='Labels applied to an issue.';

DELIMITER ;;
CREATE TRIGGER `trg_issues_status_moves` BEFORE UPDATE ON `issues`
FOR EACH ROW BEGIN
  IF OLD.status IS NOT NULL AND NEW.status IS NOT NULL AND NEW.status <> OLD.status AND NOT ((OLD.status = 'open' AND NEW.status IN ('in_progress', 'closed')) OR (OLD.status = 'in_progress' AND NEW.status IN ('done', 'open')) OR (OLD.status = 'done' AND NEW.status IN ('closed'))) THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'trg_issues_status_moves: status moves only open -> in_progress | closed; in_progress -> done | open; done -> closed';
  END IF;
END;;
DELIMITER ;

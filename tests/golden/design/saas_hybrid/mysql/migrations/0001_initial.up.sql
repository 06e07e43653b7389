CREATE TABLE `accounts` (
  `id` bigint NOT NULL AUTO_INCREMENT,
  `email` varchar(254) NOT NULL COMMENT 'PII: personal data; encrypt at rest.',
  `name` varchar(120) NOT NULL,
  `created_at` datetime(6) NOT NULL DEFAULT current_timestamp(6),
  `updated_at` datetime(6) NOT NULL DEFAULT current_timestamp(6) ON UPDATE current_timestamp(6),
  PRIMARY KEY (`id`),
  UNIQUE KEY `uq_accounts_email` (`email`),
  CONSTRAINT `chk_accounts_email` CHECK (email regexp '^[^@[:space:]]+@[^@[:space:]]+[.][^@[:space:]]+$'),
  CONSTRAINT `chk_accounts_name` CHECK (char_length(name) >= 1)
) COMMENT='A person who signs in.';

CREATE TABLE `projects` (
  `id` bigint NOT NULL AUTO_INCREMENT,
  `account_id` bigint NOT NULL,
  `title` varchar(200) NOT NULL,
  `archived` tinyint(1) NOT NULL DEFAULT 0,
  `created_at` datetime(6) NOT NULL DEFAULT current_timestamp(6),
  `updated_at` datetime(6) NOT NULL DEFAULT current_timestamp(6) ON UPDATE current_timestamp(6),
  PRIMARY KEY (`id`),
  KEY `idx_projects_account_id_archived_created_at` (`account_id`, `archived`, `created_at`),
  CONSTRAINT `fk_projects_account_id` FOREIGN KEY (`account_id`) REFERENCES `accounts` (`id`) ON DELETE CASCADE,
  CONSTRAINT `chk_projects_title` CHECK (char_length(title) >= 1)
) COMMENT='A board of tasks owned by an account.';

CREATE TABLE `tasks` (
  `id` bigint NOT NULL AUTO_INCREMENT,
  `project_id` bigint NOT NULL,
  `assignee_id` bigint NULL,
  `title` varchar(300) NOT NULL,
  `status` varchar(5) NOT NULL,
  `due_date` date NULL,
  `created_at` datetime(6) NOT NULL DEFAULT current_timestamp(6),
  `updated_at` datetime(6) NOT NULL DEFAULT current_timestamp(6) ON UPDATE current_timestamp(6),
  PRIMARY KEY (`id`),
  KEY `idx_tasks_assignee_id_updated_at` (`assignee_id`, `updated_at`),
  KEY `idx_tasks_project_id_status_due_date` (`project_id`, `status`, `due_date`),
  CONSTRAINT `fk_tasks_assignee_id` FOREIGN KEY (`assignee_id`) REFERENCES `accounts` (`id`) ON DELETE SET NULL,
  CONSTRAINT `fk_tasks_project_id` FOREIGN KEY (`project_id`) REFERENCES `projects` (`id`) ON DELETE CASCADE,
  CONSTRAINT `chk_tasks_status` CHECK (status in ('todo', 'doing', 'done')),
  CONSTRAINT `chk_tasks_title` CHECK (char_length(title) >= 1)
) COMMENT='A unit of work on a project.';

DELIMITER ;;
CREATE TRIGGER `trg_tasks_status_moves` BEFORE UPDATE ON `tasks`
FOR EACH ROW BEGIN
  IF OLD.status IS NOT NULL AND NEW.status IS NOT NULL AND NEW.status <> OLD.status AND NOT ((OLD.status = 'todo' AND NEW.status IN ('doing', 'done')) OR (OLD.status = 'doing' AND NEW.status IN ('todo', 'done')) OR (OLD.status = 'done' AND NEW.status IN ('doing'))) THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'trg_tasks_status_moves: status moves only todo -> doing | done; doing -> todo | done; done -> doing';
  END IF;
END;;
DELIMITER ;

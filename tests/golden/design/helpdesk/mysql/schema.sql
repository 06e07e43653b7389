CREATE TABLE `agents` (
  `id` bigint NOT NULL AUTO_INCREMENT,
  `email` varchar(254) NOT NULL,
  `name` varchar(120) NOT NULL,
  `active` tinyint(1) NOT NULL DEFAULT 1,
  `created_at` datetime(6) NOT NULL DEFAULT current_timestamp(6),
  `updated_at` datetime(6) NOT NULL DEFAULT current_timestamp(6) ON UPDATE current_timestamp(6),
  PRIMARY KEY (`id`),
  UNIQUE KEY `uq_agents_email` (`email`),
  CONSTRAINT `chk_agents_email` CHECK (email regexp '^[^@[:space:]]+@[^@[:space:]]+[.][^@[:space:]]+$'),
  CONSTRAINT `chk_agents_name` CHECK (char_length(name) >= 1)
) COMMENT='A support agent.';

CREATE TABLE `customers` (
  `id` bigint NOT NULL AUTO_INCREMENT,
  `email` varchar(254) NOT NULL COMMENT 'PII: personal data; encrypt at rest.',
  `name` varchar(120) NOT NULL COMMENT 'PII: personal data; encrypt at rest.',
  `tier` varchar(8) NOT NULL DEFAULT 'standard',
  `created_at` datetime(6) NOT NULL DEFAULT current_timestamp(6),
  `updated_at` datetime(6) NOT NULL DEFAULT current_timestamp(6) ON UPDATE current_timestamp(6),
  PRIMARY KEY (`id`),
  UNIQUE KEY `uq_customers_email` (`email`),
  CONSTRAINT `chk_customers_email` CHECK (email regexp '^[^@[:space:]]+@[^@[:space:]]+[.][^@[:space:]]+$'),
  CONSTRAINT `chk_customers_name` CHECK (char_length(name) >= 1),
  CONSTRAINT `chk_customers_tier` CHECK (tier in ('standard', 'premium'))
) COMMENT='A person who contacts support.';

CREATE TABLE `tickets` (
  `id` bigint NOT NULL AUTO_INCREMENT,
  `requester_id` bigint NOT NULL,
  `assignee_id` bigint NULL,
  `subject` varchar(200) NOT NULL,
  `status` varchar(7) NOT NULL,
  `priority` varchar(6) NOT NULL DEFAULT 'normal',
  `channel` varchar(5) NOT NULL,
  `opened_at` datetime(6) NOT NULL,
  `sla_due_at` datetime(6) NOT NULL COMMENT 'When the first response is due.',
  `first_response_at` datetime(6) NULL COMMENT 'The first agent reply; empty until then.',
  `solved_at` datetime(6) NULL,
  `created_at` datetime(6) NOT NULL DEFAULT current_timestamp(6),
  `updated_at` datetime(6) NOT NULL DEFAULT current_timestamp(6) ON UPDATE current_timestamp(6),
  PRIMARY KEY (`id`),
  KEY `idx_tickets_assignee_id_status_sla_due_at` (`assignee_id`, `status`, `sla_due_at`),
  KEY `idx_tickets_first_response_at_sla_due_at` (`first_response_at`, `sla_due_at`),
  KEY `idx_tickets_opened_at` (`opened_at`, `channel`),
  KEY `idx_tickets_requester_id_opened_at_id` (`requester_id`, `opened_at`, `id`),
  KEY `idx_tickets_solved_at` (`solved_at`),
  CONSTRAINT `fk_tickets_assignee_id` FOREIGN KEY (`assignee_id`) REFERENCES `agents` (`id`) ON DELETE SET NULL,
  CONSTRAINT `fk_tickets_requester_id` FOREIGN KEY (`requester_id`) REFERENCES `customers` (`id`),
  CONSTRAINT `chk_tickets_channel` CHECK (channel in ('email', 'chat', 'phone')),
  CONSTRAINT `chk_tickets_priority` CHECK (priority in ('low', 'normal', 'high', 'urgent')),
  CONSTRAINT `chk_tickets_sla_due_at_opened_at` CHECK (sla_due_at > opened_at),
  CONSTRAINT `chk_tickets_solved_after_opened` CHECK (solved_at is null or solved_at >= opened_at),
  CONSTRAINT `chk_tickets_status` CHECK (status in ('new', 'open', 'pending', 'solved', 'closed')),
  CONSTRAINT `chk_tickets_subject` CHECK (char_length(subject) >= 1)
) COMMENT='A request for help, worked until solved.';

CREATE TABLE `messages` (
  `id` bigint NOT NULL AUTO_INCREMENT,
  `ticket_id` bigint NOT NULL,
  `from_agent` tinyint(1) NOT NULL,
  `body` text NOT NULL,
  `sent_at` datetime(6) NOT NULL,
  `created_at` datetime(6) NOT NULL DEFAULT current_timestamp(6),
  PRIMARY KEY (`id`),
  KEY `idx_messages_ticket_id_sent_at_id` (`ticket_id`, `sent_at`, `id`),
  CONSTRAINT `fk_messages_ticket_id` FOREIGN KEY (`ticket_id`) REFERENCES `tickets` (`id`) ON DELETE CASCADE
) COMMENT='One message on a ticket, from the customer or an agent.';

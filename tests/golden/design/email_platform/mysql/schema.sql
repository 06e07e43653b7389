CREATE TABLE `accounts` (
  `id` bigint NOT NULL AUTO_INCREMENT,
  `name` varchar(120) NOT NULL,
  `slug` varchar(60) NOT NULL,
  `plan` varchar(10) NOT NULL DEFAULT 'free',
  `monthly_send_limit` int NOT NULL COMMENT 'E-mails the plan allows per calendar month.',
  `created_at` datetime(6) NOT NULL DEFAULT current_timestamp(6),
  `updated_at` datetime(6) NOT NULL DEFAULT current_timestamp(6) ON UPDATE current_timestamp(6),
  PRIMARY KEY (`id`),
  UNIQUE KEY `uq_accounts_slug` (`slug`),
  CONSTRAINT `chk_accounts_monthly_send_limit` CHECK (monthly_send_limit >= 0),
  CONSTRAINT `chk_accounts_name` CHECK (char_length(name) >= 1),
  CONSTRAINT `chk_accounts_plan` CHECK (plan in ('free', 'growth', 'pro', 'enterprise')),
  CONSTRAINT `chk_accounts_slug` CHECK (char_length(slug) >= 1)
) COMMENT='A customer of the platform (the tenant).';

CREATE TABLE `starter_templates` (
  `id` bigint NOT NULL AUTO_INCREMENT,
  `name` varchar(120) NOT NULL,
  `category` varchar(13) NOT NULL,
  `html` text NOT NULL,
  `created_at` datetime(6) NOT NULL DEFAULT current_timestamp(6),
  `updated_at` datetime(6) NOT NULL DEFAULT current_timestamp(6) ON UPDATE current_timestamp(6),
  PRIMARY KEY (`id`),
  KEY `idx_starter_templates_category_name` (`category`, `name`),
  CONSTRAINT `chk_starter_templates_category` CHECK (category in ('newsletter', 'announcement', 'promotion', 'transactional')),
  CONSTRAINT `chk_starter_templates_name` CHECK (char_length(name) >= 1)
) COMMENT='A ready-made e-mail design every account can start from (kept by the platform).';

CREATE TABLE `contacts` (
  `id` bigint NOT NULL AUTO_INCREMENT,
  `account_id` bigint NOT NULL,
  `email` varchar(254) NOT NULL COMMENT 'PII: personal data; encrypt at rest.',
  `first_name` varchar(80) NULL COMMENT 'PII: personal data; encrypt at rest.',
  `status` varchar(12) NOT NULL DEFAULT 'subscribed',
  `source` varchar(11) NOT NULL,
  `subscribed_at` datetime(6) NOT NULL,
  `unsubscribed_at` datetime(6) NULL COMMENT 'Set when the contact stops receiving e-mail.',
  `created_at` datetime(6) NOT NULL DEFAULT current_timestamp(6),
  `updated_at` datetime(6) NOT NULL DEFAULT current_timestamp(6) ON UPDATE current_timestamp(6),
  PRIMARY KEY (`id`),
  UNIQUE KEY `uq_contacts_account_id_email` (`account_id`, `email`),
  UNIQUE KEY `uq_contacts_account_id_id` (`account_id`, `id`),
  KEY `idx_contacts_account_id_status_subscribed_at_id` (`account_id`, `status`, `subscribed_at`, `id`),
  CONSTRAINT `fk_contacts_account_id` FOREIGN KEY (`account_id`) REFERENCES `accounts` (`id`),
  CONSTRAINT `chk_contacts_email` CHECK (email regexp '^[^@[:space:]]+@[^@[:space:]]+[.][^@[:space:]]+$'),
  CONSTRAINT `chk_contacts_source` CHECK (source in ('signup_form', 'import', 'api')),
  CONSTRAINT `chk_contacts_status` CHECK (status in ('subscribed', 'unsubscribed', 'bounced', 'complained')),
  CONSTRAINT `chk_contacts_unsubscribed_after_subscribed` CHECK (unsubscribed_at is null or unsubscribed_at >= subscribed_at)
) COMMENT='A person an account may e-mail.';

CREATE TABLE `mailing_lists` (
  `id` bigint NOT NULL AUTO_INCREMENT,
  `account_id` bigint NOT NULL,
  `name` varchar(120) NOT NULL,
  `description` text NULL,
  `created_at` datetime(6) NOT NULL DEFAULT current_timestamp(6),
  `updated_at` datetime(6) NOT NULL DEFAULT current_timestamp(6) ON UPDATE current_timestamp(6),
  PRIMARY KEY (`id`),
  UNIQUE KEY `uq_mailing_lists_account_id_id` (`account_id`, `id`),
  UNIQUE KEY `uq_mailing_lists_account_id_name` (`account_id`, `name`),
  CONSTRAINT `fk_mailing_lists_account_id` FOREIGN KEY (`account_id`) REFERENCES `accounts` (`id`),
  CONSTRAINT `chk_mailing_lists_name` CHECK (char_length(name) >= 1)
) COMMENT='A named audience of an account (newsletter, product updates ...).';

CREATE TABLE `campaigns` (
  `id` bigint NOT NULL AUTO_INCREMENT,
  `account_id` bigint NOT NULL,
  `mailing_list_id` bigint NOT NULL,
  `name` varchar(120) NOT NULL,
  `subject` varchar(200) NOT NULL,
  `status` varchar(9) NOT NULL DEFAULT 'draft',
  `scheduled_at` datetime(6) NULL,
  `sent_at` datetime(6) NULL,
  `created_at` datetime(6) NOT NULL DEFAULT current_timestamp(6),
  `updated_at` datetime(6) NOT NULL DEFAULT current_timestamp(6) ON UPDATE current_timestamp(6),
  PRIMARY KEY (`id`),
  UNIQUE KEY `uq_campaigns_account_id_id` (`account_id`, `id`),
  KEY `idx_campaigns_account_id_created_at` (`account_id`, `created_at`),
  KEY `idx_campaigns_account_id_mailing_list_id` (`account_id`, `mailing_list_id`),
  CONSTRAINT `fk_campaigns_account_id` FOREIGN KEY (`account_id`) REFERENCES `accounts` (`id`),
  CONSTRAINT `fk_campaigns_mailing_list_id` FOREIGN KEY (`account_id`, `mailing_list_id`) REFERENCES `mailing_lists` (`account_id`, `id`),
  CONSTRAINT `chk_campaigns_name` CHECK (char_length(name) >= 1),
  CONSTRAINT `chk_campaigns_status` CHECK (status in ('draft', 'scheduled', 'sending', 'sent', 'cancelled')),
  CONSTRAINT `chk_campaigns_subject` CHECK (char_length(subject) >= 1)
) COMMENT='One e-mail sent to a mailing list.';

CREATE TABLE `list_memberships` (
  `account_id` bigint NOT NULL,
  `contact_id` bigint NOT NULL,
  `mailing_list_id` bigint NOT NULL,
  `created_at` datetime(6) NOT NULL DEFAULT current_timestamp(6),
  PRIMARY KEY (`account_id`, `contact_id`, `mailing_list_id`),
  KEY `idx_list_memberships_account_id_mailing_list_id` (`account_id`, `mailing_list_id`),
  CONSTRAINT `fk_list_memberships_contact_id` FOREIGN KEY (`account_id`, `contact_id`) REFERENCES `contacts` (`account_id`, `id`) ON DELETE CASCADE,
  CONSTRAINT `fk_list_memberships_mailing_list_id` FOREIGN KEY (`account_id`, `mailing_list_id`) REFERENCES `mailing_lists` (`account_id`, `id`) ON DELETE CASCADE
) COMMENT='The lists a contact is on.';

CREATE TABLE `deliveries` (
  `id` bigint NOT NULL AUTO_INCREMENT,
  `account_id` bigint NOT NULL,
  `campaign_id` bigint NOT NULL,
  `contact_id` bigint NOT NULL,
  `status` varchar(9) NOT NULL DEFAULT 'queued',
  `provider_message_id` varchar(100) NULL COMMENT 'The sending provider''s id for the e-mail; its webhooks name it.',
  `queued_at` datetime(6) NOT NULL,
  `sent_at` datetime(6) NULL,
  `delivered_at` datetime(6) NULL,
  `created_at` datetime(6) NOT NULL DEFAULT current_timestamp(6),
  `updated_at` datetime(6) NOT NULL DEFAULT current_timestamp(6) ON UPDATE current_timestamp(6),
  PRIMARY KEY (`id`),
  KEY `idx_deliveries_account_id_campaign_id_status_queued_at` (`account_id`, `campaign_id`, `status`, `queued_at`),
  KEY `idx_deliveries_account_id_contact_id` (`account_id`, `contact_id`),
  KEY `idx_deliveries_account_id_provider_message_id` (`account_id`, `provider_message_id`),
  CONSTRAINT `fk_deliveries_account_id` FOREIGN KEY (`account_id`) REFERENCES `accounts` (`id`),
  CONSTRAINT `fk_deliveries_campaign_id` FOREIGN KEY (`account_id`, `campaign_id`) REFERENCES `campaigns` (`account_id`, `id`) ON DELETE CASCADE,
  CONSTRAINT `fk_deliveries_contact_id` FOREIGN KEY (`account_id`, `contact_id`) REFERENCES `contacts` (`account_id`, `id`) ON DELETE CASCADE,
  CONSTRAINT `chk_deliveries_status` CHECK (status in ('queued', 'sent', 'delivered', 'deferred', 'bounced', 'failed'))
) COMMENT='One e-mail of a campaign to one contact, tracked until the provider reports its fate.';

CREATE TABLE `engagement_events` (
  `id` bigint NOT NULL AUTO_INCREMENT,
  `account_id` bigint NOT NULL,
  `campaign_id` bigint NOT NULL,
  `contact_id` bigint NOT NULL,
  `kind` varchar(11) NOT NULL,
  `url` varchar(2048) NULL COMMENT 'The link clicked (clicks only).',
  `occurred_at` datetime(6) NOT NULL,
  `created_at` datetime(6) NOT NULL DEFAULT current_timestamp(6),
  PRIMARY KEY (`id`),
  KEY `idx_engagement_events_account_id_campaign_id_occurred_at` (`account_id`, `campaign_id`, `occurred_at`, `kind`),
  KEY `idx_engagement_events_account_id_contact_id_occurred_at` (`account_id`, `contact_id`, `occurred_at`),
  KEY `idx_engagement_events_occurred_at` (`occurred_at`),
  CONSTRAINT `fk_engagement_events_account_id` FOREIGN KEY (`account_id`) REFERENCES `accounts` (`id`),
  CONSTRAINT `fk_engagement_events_campaign_id` FOREIGN KEY (`account_id`, `campaign_id`) REFERENCES `campaigns` (`account_id`, `id`) ON DELETE CASCADE,
  CONSTRAINT `fk_engagement_events_contact_id` FOREIGN KEY (`account_id`, `contact_id`) REFERENCES `contacts` (`account_id`, `id`) ON DELETE CASCADE,
  CONSTRAINT `chk_engagement_events_kind` CHECK (kind in ('open', 'click', 'unsubscribe', 'complaint')),
  CONSTRAINT `chk_engagement_events_url` CHECK ((url like 'http://%' or url like 'https://%'))
) COMMENT='An open, click, unsubscribe or spam complaint by a contact on a campaign''s e-mail.';

DELIMITER ;;
CREATE TRIGGER `trg_campaigns_status_moves` BEFORE UPDATE ON `campaigns`
FOR EACH ROW BEGIN
  IF OLD.status IS NOT NULL AND NEW.status IS NOT NULL AND NEW.status <> OLD.status AND NOT ((OLD.status = 'draft' AND NEW.status IN ('scheduled', 'cancelled')) OR (OLD.status = 'scheduled' AND NEW.status IN ('sending', 'draft', 'cancelled')) OR (OLD.status = 'sending' AND NEW.status IN ('sent'))) THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'trg_campaigns_status_moves: status moves only draft -> scheduled | cancelled; scheduled -> sending | draft | cancelled; sending ';
  END IF;
END;;
DELIMITER ;

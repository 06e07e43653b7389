CREATE TABLE `accounts` (
  `id` bigint NOT NULL AUTO_INCREMENT,
  `code` varchar(4) NOT NULL COMMENT 'The account''s number in the chart: four digits, the first its class.',
  `name` varchar(120) NOT NULL,
  `kind` varchar(9) NOT NULL COMMENT 'Where the account''s balance is reported.',
  `currency` char(3) NOT NULL COMMENT 'The currency the account is kept in.',
  `is_active` tinyint(1) NOT NULL DEFAULT 1,
  `created_at` datetime(6) NOT NULL DEFAULT current_timestamp(6),
  `updated_at` datetime(6) NOT NULL DEFAULT current_timestamp(6) ON UPDATE current_timestamp(6),
  PRIMARY KEY (`id`),
  UNIQUE KEY `uq_accounts_code` (`code`),
  CONSTRAINT `chk_accounts_code` CHECK (char_length(code) >= 1),
  CONSTRAINT `chk_accounts_code_pattern` CHECK (code regexp '(?-i)^([1-9][0-9]{3})$'),
  CONSTRAINT `chk_accounts_currency` CHECK (currency regexp '(?-i)^[A-Z]{3}$'),
  CONSTRAINT `chk_accounts_kind` CHECK (kind in ('asset', 'liability', 'equity', 'income', 'expense')),
  CONSTRAINT `chk_accounts_name` CHECK (char_length(name) >= 1)
) COMMENT='An account of the chart of accounts.';

CREATE TABLE `journal_entries` (
  `id` bigint NOT NULL AUTO_INCREMENT,
  `description` varchar(250) NOT NULL,
  `status` varchar(8) NOT NULL DEFAULT 'draft',
  `posted_at` datetime(6) NULL COMMENT 'When the entry was posted; empty while a draft.',
  `currency` char(3) NOT NULL COMMENT 'The currency of the entry''s amounts.',
  `source` varchar(9) NOT NULL,
  `external_ref` varchar(64) NULL COMMENT 'The sending system''s reference (a bank transaction id).',
  `created_at` datetime(6) NOT NULL DEFAULT current_timestamp(6),
  `updated_at` datetime(6) NOT NULL DEFAULT current_timestamp(6) ON UPDATE current_timestamp(6),
  `source_when` varchar(9) GENERATED ALWAYS AS (if(status <> 'voided',source,NULL)) STORED,
  `external_ref_when` varchar(64) GENERATED ALWAYS AS (if(status <> 'voided',external_ref,NULL)) STORED,
  PRIMARY KEY (`id`),
  UNIQUE KEY `uq_journal_entries_one_import` (`source_when`, `external_ref_when`),
  KEY `idx_journal_entries_source_external_ref` (`source`, `external_ref`),
  KEY `idx_journal_entries_status_posted_at` (`status`, `posted_at`),
  CONSTRAINT `chk_journal_entries_currency` CHECK (currency regexp '(?-i)^[A-Z]{3}$'),
  CONSTRAINT `chk_journal_entries_description` CHECK (char_length(description) >= 1),
  CONSTRAINT `chk_journal_entries_posted_has_time` CHECK (status = 'draft' or posted_at is not null),
  CONSTRAINT `chk_journal_entries_source` CHECK (source in ('manual', 'invoicing', 'payroll', 'bank_feed')),
  CONSTRAINT `chk_journal_entries_status` CHECK (status in ('draft', 'posted', 'voided', 'reversed'))
) COMMENT='A business event recorded as balanced movements between accounts.';

CREATE TABLE `journal_lines` (
  `id` bigint NOT NULL AUTO_INCREMENT,
  `account_id` bigint NOT NULL,
  `entry_id` bigint NOT NULL,
  `amount` decimal(15,2) NOT NULL COMMENT 'Signed: a debit is positive, a credit negative, in the entry''s currency.',
  `memo` varchar(200) NULL,
  `created_at` datetime(6) NOT NULL DEFAULT current_timestamp(6),
  `updated_at` datetime(6) NOT NULL DEFAULT current_timestamp(6) ON UPDATE current_timestamp(6),
  PRIMARY KEY (`id`),
  KEY `idx_journal_lines_account_id_created_at` (`account_id`, `created_at`),
  KEY `idx_journal_lines_entry_id` (`entry_id`),
  CONSTRAINT `fk_journal_lines_account_id` FOREIGN KEY (`account_id`) REFERENCES `accounts` (`id`),
  CONSTRAINT `fk_journal_lines_entry_id` FOREIGN KEY (`entry_id`) REFERENCES `journal_entries` (`id`) ON DELETE CASCADE,
  CONSTRAINT `chk_journal_lines_nonzero_amount` CHECK (amount <> 0)
) COMMENT='One movement of an entry (a posting) on one account; positive debits, negative credits.';

DELIMITER ;;
CREATE TRIGGER `trg_journal_entries_status_moves` BEFORE UPDATE ON `journal_entries`
FOR EACH ROW BEGIN
  IF OLD.status IS NOT NULL AND NEW.status IS NOT NULL AND NEW.status <> OLD.status AND NOT ((OLD.status = 'draft' AND NEW.status IN ('posted', 'voided')) OR (OLD.status = 'posted' AND NEW.status IN ('reversed'))) THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'trg_journal_entries_status_moves: status moves only draft -> posted | voided; posted -> reversed';
  END IF;
END;;
DELIMITER ;

DELIMITER ;;
CREATE TRIGGER `trg_journal_lines_thirty_lines_insert` BEFORE INSERT ON `journal_lines`
FOR EACH ROW BEGIN
  DECLARE held INT;
  SELECT 1 INTO held FROM journal_entries WHERE id = NEW.entry_id FOR UPDATE;
  IF NEW.entry_id IS NOT NULL AND (SELECT count(*) FROM journal_lines AS o WHERE o.entry_id = NEW.entry_id) >= 30 THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'trg_journal_lines_thirty_lines: at most 30 journal_lines per journal_entry';
  END IF;
END;;
DELIMITER ;

DELIMITER ;;
CREATE TRIGGER `trg_journal_lines_thirty_lines_update` BEFORE UPDATE ON `journal_lines`
FOR EACH ROW BEGIN
  DECLARE held INT;
  SELECT 1 INTO held FROM journal_entries WHERE id = NEW.entry_id FOR UPDATE;
  IF NEW.entry_id IS NOT NULL AND (SELECT count(*) FROM journal_lines AS o WHERE o.entry_id = NEW.entry_id AND NOT (o.id = OLD.id)) >= 30 THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'trg_journal_lines_thirty_lines: at most 30 journal_lines per journal_entry';
  END IF;
END;;
DELIMITER ;

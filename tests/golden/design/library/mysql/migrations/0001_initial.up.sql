CREATE TABLE `books` (
  `id` bigint NOT NULL AUTO_INCREMENT,
  `isbn` char(13) NOT NULL COMMENT 'ISBN-13 without hyphens (its check digit checked).',
  `title` varchar(300) NOT NULL,
  `author` varchar(200) NOT NULL,
  `published_year` smallint NULL,
  `created_at` datetime(6) NOT NULL DEFAULT current_timestamp(6),
  `updated_at` datetime(6) NOT NULL DEFAULT current_timestamp(6) ON UPDATE current_timestamp(6),
  PRIMARY KEY (`id`),
  UNIQUE KEY `uq_books_isbn` (`isbn`),
  FULLTEXT KEY `idx_books_title_author` (`title`, `author`),
  CONSTRAINT `chk_books_author` CHECK (char_length(author) >= 1),
  CONSTRAINT `chk_books_isbn` CHECK (isbn regexp '^97[89][0-9]{10}$'),
  CONSTRAINT `chk_books_isbn_check_digit` CHECK (isbn IS NULL OR CASE WHEN isbn regexp '^[0-9]{13}$' THEN (CAST(substr(isbn, 1, 1) AS UNSIGNED) + 3 * CAST(substr(isbn, 2, 1) AS UNSIGNED) + CAST(substr(isbn, 3, 1) AS UNSIGNED) + 3 * CAST(substr(isbn, 4, 1) AS UNSIGNED) + CAST(substr(isbn, 5, 1) AS UNSIGNED) + 3 * CAST(substr(isbn, 6, 1) AS UNSIGNED) + CAST(substr(isbn, 7, 1) AS UNSIGNED) + 3 * CAST(substr(isbn, 8, 1) AS UNSIGNED) + CAST(substr(isbn, 9, 1) AS UNSIGNED) + 3 * CAST(substr(isbn, 10, 1) AS UNSIGNED) + CAST(substr(isbn, 11, 1) AS UNSIGNED) + 3 * CAST(substr(isbn, 12, 1) AS UNSIGNED) + CAST(substr(isbn, 13, 1) AS UNSIGNED)) % 10 = 0 ELSE 0 END),
  CONSTRAINT `chk_books_published_year` CHECK (published_year >= 1450 AND published_year <= 2100),
  CONSTRAINT `chk_books_title` CHECK (char_length(title) >= 1)
) COMMENT='A title in the catalogue (one edition).';

CREATE TABLE `branches` (
  `id` bigint NOT NULL AUTO_INCREMENT,
  `name` varchar(120) NOT NULL,
  `address` varchar(250) NOT NULL,
  `created_at` datetime(6) NOT NULL DEFAULT current_timestamp(6),
  `updated_at` datetime(6) NOT NULL DEFAULT current_timestamp(6) ON UPDATE current_timestamp(6),
  PRIMARY KEY (`id`),
  UNIQUE KEY `uq_branches_name` (`name`),
  CONSTRAINT `chk_branches_address` CHECK (char_length(address) >= 1),
  CONSTRAINT `chk_branches_name` CHECK (char_length(name) >= 1)
) COMMENT='A library building that holds copies.';

CREATE TABLE `members` (
  `id` bigint NOT NULL AUTO_INCREMENT,
  `card_number` varchar(16) NOT NULL COMMENT 'The card''s number: C and eight digits.',
  `email` varchar(254) NULL COMMENT 'PII: personal data; encrypt at rest.',
  `full_name` varchar(150) NOT NULL COMMENT 'PII: personal data; encrypt at rest.',
  `max_loans` tinyint NOT NULL DEFAULT 10,
  `created_at` datetime(6) NOT NULL DEFAULT current_timestamp(6),
  `updated_at` datetime(6) NOT NULL DEFAULT current_timestamp(6) ON UPDATE current_timestamp(6),
  PRIMARY KEY (`id`),
  UNIQUE KEY `uq_members_card_number` (`card_number`),
  CONSTRAINT `chk_members_card_number` CHECK (char_length(card_number) >= 1),
  CONSTRAINT `chk_members_card_number_pattern` CHECK (card_number regexp '(?-i)^(C[0-9]{8})$'),
  CONSTRAINT `chk_members_email` CHECK (email regexp '^[^@[:space:]]+@[^@[:space:]]+[.][^@[:space:]]+$'),
  CONSTRAINT `chk_members_full_name` CHECK (char_length(full_name) >= 1),
  CONSTRAINT `chk_members_max_loans` CHECK (max_loans >= 0 AND max_loans <= 50)
) COMMENT='A person with a library card.';

CREATE TABLE `copies` (
  `id` bigint NOT NULL AUTO_INCREMENT,
  `branch_id` bigint NOT NULL,
  `book_id` bigint NOT NULL,
  `barcode` varchar(20) NOT NULL,
  `acquired_on` date NOT NULL,
  `withdrawn_on` date NULL COMMENT 'When the copy left the collection.',
  `created_at` datetime(6) NOT NULL DEFAULT current_timestamp(6),
  `updated_at` datetime(6) NOT NULL DEFAULT current_timestamp(6) ON UPDATE current_timestamp(6),
  PRIMARY KEY (`id`),
  UNIQUE KEY `uq_copies_barcode` (`barcode`),
  KEY `idx_copies_book_id` (`book_id`),
  KEY `idx_copies_branch_id` (`branch_id`),
  CONSTRAINT `fk_copies_book_id` FOREIGN KEY (`book_id`) REFERENCES `books` (`id`),
  CONSTRAINT `fk_copies_branch_id` FOREIGN KEY (`branch_id`) REFERENCES `branches` (`id`),
  CONSTRAINT `chk_copies_barcode` CHECK (char_length(barcode) >= 1),
  CONSTRAINT `chk_copies_withdrawn_after_acquired` CHECK (withdrawn_on >= acquired_on)
) COMMENT='A physical copy of a book, held by a branch.';

CREATE TABLE `loans` (
  `id` bigint NOT NULL AUTO_INCREMENT,
  `copy_id` bigint NOT NULL,
  `member_id` bigint NOT NULL,
  `loaned_at` datetime(6) NOT NULL,
  `due_at` datetime(6) NOT NULL,
  `returned_at` datetime(6) NULL COMMENT 'Empty while the copy is out.',
  `renewals` tinyint NOT NULL DEFAULT 0,
  `created_at` datetime(6) NOT NULL DEFAULT current_timestamp(6),
  `updated_at` datetime(6) NOT NULL DEFAULT current_timestamp(6) ON UPDATE current_timestamp(6),
  `copy_id_when` bigint GENERATED ALWAYS AS (if(returned_at is null,copy_id,NULL)) STORED,
  PRIMARY KEY (`id`),
  UNIQUE KEY `uq_loans_one_active_loan` (`copy_id_when`),
  KEY `idx_loans_copy_id_loaned_at` (`copy_id`, `loaned_at`),
  KEY `idx_loans_due_at` (`due_at`),
  KEY `idx_loans_member_id_loaned_at` (`member_id`, `loaned_at`),
  CONSTRAINT `fk_loans_copy_id` FOREIGN KEY (`copy_id`) REFERENCES `copies` (`id`),
  CONSTRAINT `fk_loans_member_id` FOREIGN KEY (`member_id`) REFERENCES `members` (`id`),
  CONSTRAINT `chk_loans_due_after_loan` CHECK (due_at > loaned_at),
  CONSTRAINT `chk_loans_renewals` CHECK (renewals >= 0 AND renewals <= 5),
  CONSTRAINT `chk_loans_returned_after_loan` CHECK (returned_at >= loaned_at)
) COMMENT='A copy lent to a member, from loaned_at until it is returned.';

DELIMITER ;;
CREATE TRIGGER `trg_loans_five_active_loans_insert` BEFORE INSERT ON `loans`
FOR EACH ROW BEGIN
  DECLARE held INT;
  SELECT 1 INTO held FROM members WHERE id = NEW.member_id FOR UPDATE;
  IF NEW.member_id IS NOT NULL AND (NEW.returned_at is null) AND (SELECT count(*) FROM loans AS o WHERE o.member_id = NEW.member_id AND (o.returned_at is null)) >= 5 THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'trg_loans_five_active_loans: at most 5 loans per member where returned_at is null';
  END IF;
END;;
DELIMITER ;

DELIMITER ;;
CREATE TRIGGER `trg_loans_five_active_loans_update` BEFORE UPDATE ON `loans`
FOR EACH ROW BEGIN
  DECLARE held INT;
  SELECT 1 INTO held FROM members WHERE id = NEW.member_id FOR UPDATE;
  IF NEW.member_id IS NOT NULL AND (NEW.returned_at is null) AND (SELECT count(*) FROM loans AS o WHERE o.member_id = NEW.member_id AND (o.returned_at is null) AND NOT (o.id = OLD.id)) >= 5 THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'trg_loans_five_active_loans: at most 5 loans per member where returned_at is null';
  END IF;
END;;
DELIMITER ;

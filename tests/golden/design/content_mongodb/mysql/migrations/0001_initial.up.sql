CREATE TABLE `articles` (
  `id` bigint NOT NULL AUTO_INCREMENT,
  `slug` varchar(160) NOT NULL,
  `title` varchar(200) NOT NULL,
  `summary` varchar(600) NULL,
  `status` varchar(9) NOT NULL DEFAULT 'draft',
  `published_at` datetime(6) NULL,
  `metadata` json NULL COMMENT 'Free-form SEO and layout settings.',
  `created_at` datetime(6) NOT NULL DEFAULT current_timestamp(6),
  `updated_at` datetime(6) NOT NULL DEFAULT current_timestamp(6) ON UPDATE current_timestamp(6),
  PRIMARY KEY (`id`),
  UNIQUE KEY `uq_articles_slug` (`slug`),
  KEY `idx_articles_status_published_at_id` (`status`, `published_at`, `id`),
  FULLTEXT KEY `idx_articles_title_summary` (`title`, `summary`),
  CONSTRAINT `chk_articles_slug` CHECK (char_length(slug) >= 1),
  CONSTRAINT `chk_articles_slug_pattern` CHECK (slug regexp '(?-i)^([a-z0-9-]+)$'),
  CONSTRAINT `chk_articles_status` CHECK (status in ('draft', 'published', 'archived')),
  CONSTRAINT `chk_articles_title` CHECK (char_length(title) >= 1)
) COMMENT='A published or draft article, read as one document.';

CREATE TABLE `authors` (
  `id` bigint NOT NULL AUTO_INCREMENT,
  `display_name` varchar(120) NOT NULL,
  `email` varchar(254) NOT NULL COMMENT 'PII: personal data; encrypt at rest.',
  `bio` text NULL,
  `created_at` datetime(6) NOT NULL DEFAULT current_timestamp(6),
  `updated_at` datetime(6) NOT NULL DEFAULT current_timestamp(6) ON UPDATE current_timestamp(6),
  PRIMARY KEY (`id`),
  UNIQUE KEY `uq_authors_email` (`email`),
  CONSTRAINT `chk_authors_display_name` CHECK (char_length(display_name) >= 1),
  CONSTRAINT `chk_authors_email` CHECK (email regexp '^[^@[:space:]]+@[^@[:space:]]+[.][^@[:space:]]+$')
) COMMENT='A writer who can publish articles.';

CREATE TABLE `comments` (
  `id` bigint NOT NULL AUTO_INCREMENT,
  `article_id` bigint NOT NULL,
  `reader_name` varchar(80) NOT NULL,
  `body` text NOT NULL,
  `status` varchar(8) NOT NULL DEFAULT 'pending',
  `posted_at` datetime(6) NOT NULL,
  `created_at` datetime(6) NOT NULL DEFAULT current_timestamp(6),
  `updated_at` datetime(6) NOT NULL DEFAULT current_timestamp(6) ON UPDATE current_timestamp(6),
  PRIMARY KEY (`id`),
  KEY `idx_comments_article_id_status_posted_at` (`article_id`, `status`, `posted_at`),
  KEY `idx_comments_status_posted_at` (`status`, `posted_at`),
  CONSTRAINT `fk_comments_article_id` FOREIGN KEY (`article_id`) REFERENCES `articles` (`id`) ON DELETE CASCADE,
  CONSTRAINT `chk_comments_reader_name` CHECK (char_length(reader_name) >= 1),
  CONSTRAINT `chk_comments_status` CHECK (status in ('pending', 'approved', 'rejected'))
) COMMENT='A reader''s comment on an article, moderated before it shows.';

CREATE TABLE `page_events` (
  `id` bigint NOT NULL AUTO_INCREMENT,
  `article_id` bigint NOT NULL,
  `session_id` binary(16) NOT NULL,
  `kind` varchar(6) NOT NULL,
  `payload` json NULL,
  `occurred_at` datetime(6) NOT NULL,
  `created_at` datetime(6) NOT NULL DEFAULT current_timestamp(6),
  PRIMARY KEY (`id`),
  KEY `idx_page_events_article_id_occurred_at` (`article_id`, `occurred_at`, `kind`),
  KEY `idx_page_events_occurred_at` (`occurred_at`),
  KEY `idx_page_events_session_id_occurred_at` (`session_id`, `occurred_at`),
  CONSTRAINT `fk_page_events_article_id` FOREIGN KEY (`article_id`) REFERENCES `articles` (`id`) ON DELETE CASCADE,
  CONSTRAINT `chk_page_events_kind` CHECK (kind in ('view', 'scroll', 'share', 'click'))
) COMMENT='A reading event (view, scroll depth, share) sent by the article page.';

CREATE TABLE `sections` (
  `id` bigint NOT NULL AUTO_INCREMENT,
  `article_id` bigint NOT NULL,
  `position` tinyint NOT NULL,
  `heading` varchar(200) NULL,
  `body` text NOT NULL,
  `created_at` datetime(6) NOT NULL DEFAULT current_timestamp(6),
  `updated_at` datetime(6) NOT NULL DEFAULT current_timestamp(6) ON UPDATE current_timestamp(6),
  PRIMARY KEY (`id`),
  KEY `idx_sections_article_id` (`article_id`),
  CONSTRAINT `fk_sections_article_id` FOREIGN KEY (`article_id`) REFERENCES `articles` (`id`) ON DELETE CASCADE,
  CONSTRAINT `chk_sections_position` CHECK (`position` >= 1 AND `position` <= 50)
) COMMENT='One section of an article''s body, in order.';

CREATE TABLE `tags` (
  `id` bigint NOT NULL AUTO_INCREMENT,
  `article_id` bigint NOT NULL,
  `label` varchar(40) NOT NULL,
  `created_at` datetime(6) NOT NULL DEFAULT current_timestamp(6),
  `updated_at` datetime(6) NOT NULL DEFAULT current_timestamp(6) ON UPDATE current_timestamp(6),
  PRIMARY KEY (`id`),
  KEY `idx_tags_article_id` (`article_id`),
  KEY `idx_tags_label` (`label`),
  CONSTRAINT `fk_tags_article_id` FOREIGN KEY (`article_id`) REFERENCES `articles` (`id`) ON DELETE CASCADE,
  CONSTRAINT `chk_tags_label` CHECK (char_length(label) >= 1),
  CONSTRAINT `chk_tags_label_pattern` CHECK (label regexp '(?-i)^([a-z0-9-]+)$')
) COMMENT='A topic label on an article.';

CREATE TABLE `bylines` (
  `id` bigint NOT NULL AUTO_INCREMENT,
  `article_id` bigint NOT NULL,
  `author_id` bigint NOT NULL,
  `credited_name` varchar(120) NOT NULL,
  `role` varchar(12) NOT NULL DEFAULT 'author',
  `created_at` datetime(6) NOT NULL DEFAULT current_timestamp(6),
  `updated_at` datetime(6) NOT NULL DEFAULT current_timestamp(6) ON UPDATE current_timestamp(6),
  PRIMARY KEY (`id`),
  KEY `idx_bylines_article_id` (`article_id`),
  KEY `idx_bylines_author_id` (`author_id`),
  CONSTRAINT `fk_bylines_article_id` FOREIGN KEY (`article_id`) REFERENCES `articles` (`id`) ON DELETE CASCADE,
  CONSTRAINT `fk_bylines_author_id` FOREIGN KEY (`author_id`) REFERENCES `authors` (`id`),
  CONSTRAINT `chk_bylines_credited_name` CHECK (char_length(credited_name) >= 1),
  CONSTRAINT `chk_bylines_role` CHECK (role in ('author', 'editor', 'photographer', 'translator'))
) COMMENT='An author of an article as credited when it was published.';

DELIMITER ;;
CREATE TRIGGER `trg_bylines_article_id_at_most_insert` BEFORE INSERT ON `bylines`
FOR EACH ROW BEGIN
  DECLARE held INT;
  SELECT 1 INTO held FROM articles WHERE id = NEW.article_id FOR UPDATE;
  IF NEW.article_id IS NOT NULL AND (SELECT count(*) FROM bylines AS o WHERE o.article_id = NEW.article_id) >= 5 THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'trg_bylines_article_id_at_most: at most 5 bylines per article';
  END IF;
END;;
DELIMITER ;

DELIMITER ;;
CREATE TRIGGER `trg_bylines_article_id_at_most_update` BEFORE UPDATE ON `bylines`
FOR EACH ROW BEGIN
  DECLARE held INT;
  SELECT 1 INTO held FROM articles WHERE id = NEW.article_id FOR UPDATE;
  IF NEW.article_id IS NOT NULL AND (SELECT count(*) FROM bylines AS o WHERE o.article_id = NEW.article_id AND NOT (o.id = OLD.id)) >= 5 THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'trg_bylines_article_id_at_most: at most 5 bylines per article';
  END IF;
END;;
DELIMITER ;

DELIMITER ;;
CREATE TRIGGER `trg_sections_article_id_at_most_insert` BEFORE INSERT ON `sections`
FOR EACH ROW BEGIN
  DECLARE held INT;
  SELECT 1 INTO held FROM articles WHERE id = NEW.article_id FOR UPDATE;
  IF NEW.article_id IS NOT NULL AND (SELECT count(*) FROM sections AS o WHERE o.article_id = NEW.article_id) >= 30 THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'trg_sections_article_id_at_most: at most 30 sections per article';
  END IF;
END;;
DELIMITER ;

DELIMITER ;;
CREATE TRIGGER `trg_sections_article_id_at_most_update` BEFORE UPDATE ON `sections`
FOR EACH ROW BEGIN
  DECLARE held INT;
  SELECT 1 INTO held FROM articles WHERE id = NEW.article_id FOR UPDATE;
  IF NEW.article_id IS NOT NULL AND (SELECT count(*) FROM sections AS o WHERE o.article_id = NEW.article_id AND NOT (o.id = OLD.id)) >= 30 THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'trg_sections_article_id_at_most: at most 30 sections per article';
  END IF;
END;;
DELIMITER ;

DELIMITER ;;
CREATE TRIGGER `trg_tags_article_id_at_most_insert` BEFORE INSERT ON `tags`
FOR EACH ROW BEGIN
  DECLARE held INT;
  SELECT 1 INTO held FROM articles WHERE id = NEW.article_id FOR UPDATE;
  IF NEW.article_id IS NOT NULL AND (SELECT count(*) FROM tags AS o WHERE o.article_id = NEW.article_id) >= 10 THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'trg_tags_article_id_at_most: at most 10 tags per article';
  END IF;
END;;
DELIMITER ;

DELIMITER ;;
CREATE TRIGGER `trg_tags_article_id_at_most_update` BEFORE UPDATE ON `tags`
FOR EACH ROW BEGIN
  DECLARE held INT;
  SELECT 1 INTO held FROM articles WHERE id = NEW.article_id FOR UPDATE;
  IF NEW.article_id IS NOT NULL AND (SELECT count(*) FROM tags AS o WHERE o.article_id = NEW.article_id AND NOT (o.id = OLD.id)) >= 10 THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'trg_tags_article_id_at_most: at most 10 tags per article';
  END IF;
END;;
DELIMITER ;

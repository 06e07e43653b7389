CREATE TABLE `cooks` (
  `id` bigint NOT NULL AUTO_INCREMENT,
  `username` varchar(30) NOT NULL,
  `email` varchar(254) NOT NULL COMMENT 'PII: personal data; encrypt at rest.',
  `display_name` varchar(80) NOT NULL,
  `phone` varchar(16) NULL COMMENT 'For account recovery; optional. PII: personal data; encrypt at rest.',
  `created_at` datetime(6) NOT NULL DEFAULT current_timestamp(6),
  `updated_at` datetime(6) NOT NULL DEFAULT current_timestamp(6) ON UPDATE current_timestamp(6),
  PRIMARY KEY (`id`),
  UNIQUE KEY `uq_cooks_email` (`email`),
  UNIQUE KEY `uq_cooks_username` (`username`),
  KEY `idx_cooks_phone` (`phone`),
  CONSTRAINT `chk_cooks_display_name` CHECK (char_length(display_name) >= 1),
  CONSTRAINT `chk_cooks_email` CHECK (email regexp '^[^@[:space:]]+@[^@[:space:]]+[.][^@[:space:]]+$'),
  CONSTRAINT `chk_cooks_phone` CHECK (phone regexp '^[+][1-9][0-9]{6,14}$'),
  CONSTRAINT `chk_cooks_username` CHECK (char_length(username) >= 1)
) COMMENT='A member of the site who publishes and reviews recipes.';

CREATE TABLE `ingredients` (
  `id` bigint NOT NULL AUTO_INCREMENT,
  `name` varchar(80) NOT NULL,
  `aisle` varchar(7) NOT NULL,
  `created_at` datetime(6) NOT NULL DEFAULT current_timestamp(6),
  `updated_at` datetime(6) NOT NULL DEFAULT current_timestamp(6) ON UPDATE current_timestamp(6),
  PRIMARY KEY (`id`),
  UNIQUE KEY `uq_ingredients_name` (`name`),
  CONSTRAINT `chk_ingredients_aisle` CHECK (aisle in ('produce', 'dairy', 'meat', 'fish', 'bakery', 'pantry', 'spices', 'frozen', 'drinks')),
  CONSTRAINT `chk_ingredients_name` CHECK (char_length(name) >= 1)
) COMMENT='Something a recipe is made with.';

CREATE TABLE `recipes` (
  `id` bigint NOT NULL AUTO_INCREMENT,
  `cook_id` bigint NOT NULL,
  `title` varchar(160) NOT NULL,
  `summary` varchar(500) NOT NULL,
  `cuisine` varchar(8) NOT NULL,
  `minutes` smallint NOT NULL COMMENT 'Time from start to table.',
  `published_at` datetime(6) NOT NULL,
  `created_at` datetime(6) NOT NULL DEFAULT current_timestamp(6),
  `updated_at` datetime(6) NOT NULL DEFAULT current_timestamp(6) ON UPDATE current_timestamp(6),
  PRIMARY KEY (`id`),
  KEY `idx_recipes_cook_id_published_at` (`cook_id`, `published_at`),
  FULLTEXT KEY `idx_recipes_title_summary` (`title`, `summary`),
  CONSTRAINT `fk_recipes_cook_id` FOREIGN KEY (`cook_id`) REFERENCES `cooks` (`id`),
  CONSTRAINT `chk_recipes_cuisine` CHECK (cuisine in ('italian', 'french', 'indian', 'chinese', 'mexican', 'japanese', 'other')),
  CONSTRAINT `chk_recipes_minutes` CHECK (minutes >= 1 AND minutes <= 2880),
  CONSTRAINT `chk_recipes_summary` CHECK (char_length(summary) >= 1),
  CONSTRAINT `chk_recipes_title` CHECK (char_length(title) >= 1)
) COMMENT='A dish and how to make it.';

CREATE TABLE `recipe_ingredients` (
  `recipe_id` bigint NOT NULL,
  `ingredient_id` bigint NOT NULL,
  `quantity` decimal(8,2) NOT NULL,
  `unit` varchar(5) NOT NULL,
  `created_at` datetime(6) NOT NULL DEFAULT current_timestamp(6),
  `updated_at` datetime(6) NOT NULL DEFAULT current_timestamp(6) ON UPDATE current_timestamp(6),
  PRIMARY KEY (`recipe_id`, `ingredient_id`),
  KEY `idx_recipe_ingredients_ingredient_id_recipe_id` (`ingredient_id`, `recipe_id`),
  CONSTRAINT `fk_recipe_ingredients_ingredient_id` FOREIGN KEY (`ingredient_id`) REFERENCES `ingredients` (`id`) ON DELETE CASCADE,
  CONSTRAINT `fk_recipe_ingredients_recipe_id` FOREIGN KEY (`recipe_id`) REFERENCES `recipes` (`id`) ON DELETE CASCADE,
  CONSTRAINT `chk_recipe_ingredients_quantity` CHECK (quantity >= 0),
  CONSTRAINT `chk_recipe_ingredients_unit` CHECK (unit in ('g', 'kg', 'ml', 'l', 'tsp', 'tbsp', 'cup', 'piece'))
) COMMENT='What goes into a recipe, and how much.';

CREATE TABLE `reviews` (
  `id` bigint NOT NULL AUTO_INCREMENT,
  `recipe_id` bigint NOT NULL,
  `reviewer_id` bigint NOT NULL,
  `rating` tinyint NOT NULL,
  `body` text NULL,
  `posted_at` datetime(6) NOT NULL,
  `created_at` datetime(6) NOT NULL DEFAULT current_timestamp(6),
  `updated_at` datetime(6) NOT NULL DEFAULT current_timestamp(6) ON UPDATE current_timestamp(6),
  PRIMARY KEY (`id`),
  KEY `idx_reviews_recipe_id_posted_at` (`recipe_id`, `posted_at`),
  KEY `idx_reviews_reviewer_id` (`reviewer_id`),
  CONSTRAINT `fk_reviews_recipe_id` FOREIGN KEY (`recipe_id`) REFERENCES `recipes` (`id`) ON DELETE CASCADE,
  CONSTRAINT `fk_reviews_reviewer_id` FOREIGN KEY (`reviewer_id`) REFERENCES `cooks` (`id`) ON DELETE CASCADE,
  CONSTRAINT `chk_reviews_body` CHECK (char_length(body) <= 2000),
  CONSTRAINT `chk_reviews_rating` CHECK (rating >= 1 AND rating <= 5)
) COMMENT='A cook''s rating and words on a recipe.';

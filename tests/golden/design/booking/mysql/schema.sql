CREATE TABLE `people` (
  `id` bigint NOT NULL AUTO_INCREMENT,
  `email` varchar(254) NOT NULL COMMENT 'PII: personal data; encrypt at rest.',
  `display_name` varchar(100) NOT NULL COMMENT 'PII: personal data; encrypt at rest.',
  `created_at` datetime(6) NOT NULL DEFAULT current_timestamp(6),
  `updated_at` datetime(6) NOT NULL DEFAULT current_timestamp(6) ON UPDATE current_timestamp(6),
  PRIMARY KEY (`id`),
  UNIQUE KEY `uq_people_email` (`email`),
  CONSTRAINT `chk_people_display_name` CHECK (char_length(display_name) >= 1),
  CONSTRAINT `chk_people_email` CHECK (email regexp '^[^@[:space:]]+@[^@[:space:]]+[.][^@[:space:]]+$')
) COMMENT='An employee who books rooms.';

CREATE TABLE `buildings` (
  `id` bigint NOT NULL AUTO_INCREMENT,
  `name` varchar(120) NOT NULL,
  `city` varchar(80) NOT NULL,
  `time_zone` varchar(40) NOT NULL COMMENT 'IANA time zone the building''s rooms are shown in.',
  `created_at` datetime(6) NOT NULL DEFAULT current_timestamp(6),
  `updated_at` datetime(6) NOT NULL DEFAULT current_timestamp(6) ON UPDATE current_timestamp(6),
  PRIMARY KEY (`id`),
  UNIQUE KEY `uq_buildings_name` (`name`),
  CONSTRAINT `chk_buildings_city` CHECK (char_length(city) >= 1),
  CONSTRAINT `chk_buildings_name` CHECK (char_length(name) >= 1),
  CONSTRAINT `chk_buildings_time_zone` CHECK (char_length(time_zone) >= 1)
) COMMENT='An office building.';

CREATE TABLE `rooms` (
  `id` bigint NOT NULL AUTO_INCREMENT,
  `building_id` bigint NOT NULL,
  `name` varchar(80) NOT NULL,
  `capacity` smallint NOT NULL COMMENT 'Seats in the room.',
  `has_video` tinyint(1) NOT NULL DEFAULT 0,
  `created_at` datetime(6) NOT NULL DEFAULT current_timestamp(6),
  `updated_at` datetime(6) NOT NULL DEFAULT current_timestamp(6) ON UPDATE current_timestamp(6),
  PRIMARY KEY (`id`),
  UNIQUE KEY `uq_rooms_building_id_name` (`building_id`, `name`),
  CONSTRAINT `fk_rooms_building_id` FOREIGN KEY (`building_id`) REFERENCES `buildings` (`id`),
  CONSTRAINT `chk_rooms_capacity` CHECK (capacity >= 1 AND capacity <= 500),
  CONSTRAINT `chk_rooms_name` CHECK (char_length(name) >= 1)
) COMMENT='A bookable meeting room.';

CREATE TABLE `bookings` (
  `id` bigint NOT NULL AUTO_INCREMENT,
  `room_id` bigint NOT NULL,
  `organiser_id` bigint NOT NULL,
  `title` varchar(200) NOT NULL,
  `starts_at` datetime(6) NOT NULL,
  `ends_at` datetime(6) NOT NULL,
  `attendees` smallint NOT NULL,
  `status` varchar(9) NOT NULL DEFAULT 'confirmed',
  `cancelled_at` datetime(6) NULL COMMENT 'When the booking was cancelled.',
  `created_at` datetime(6) NOT NULL DEFAULT current_timestamp(6),
  `updated_at` datetime(6) NOT NULL DEFAULT current_timestamp(6) ON UPDATE current_timestamp(6),
  PRIMARY KEY (`id`),
  KEY `idx_bookings_organiser_id_starts_at` (`organiser_id`, `starts_at`),
  KEY `idx_bookings_room_id_starts_at` (`room_id`, `starts_at`),
  CONSTRAINT `fk_bookings_organiser_id` FOREIGN KEY (`organiser_id`) REFERENCES `people` (`id`),
  CONSTRAINT `fk_bookings_room_id` FOREIGN KEY (`room_id`) REFERENCES `rooms` (`id`) ON DELETE CASCADE,
  CONSTRAINT `chk_bookings_attendees` CHECK (attendees >= 1 AND attendees <= 500),
  CONSTRAINT `chk_bookings_cancelled_when` CHECK (cancelled_at is null or status = 'cancelled'),
  CONSTRAINT `chk_bookings_ends_after_start` CHECK (ends_at > starts_at),
  CONSTRAINT `chk_bookings_status` CHECK (status in ('tentative', 'confirmed', 'cancelled')),
  CONSTRAINT `chk_bookings_title` CHECK (char_length(title) >= 1)
) COMMENT='A room held for a meeting over [starts_at, ends_at).';

DELIMITER ;;
CREATE TRIGGER `trg_bookings_room_free_insert` BEFORE INSERT ON `bookings`
FOR EACH ROW BEGIN
  DECLARE held INT;
  SELECT 1 INTO held FROM rooms WHERE id = NEW.room_id FOR UPDATE;
  IF (NEW.status <> 'cancelled') AND EXISTS (SELECT 1 FROM bookings AS o WHERE o.room_id = NEW.room_id AND NEW.starts_at < o.ends_at AND o.starts_at < NEW.ends_at AND NEW.starts_at < NEW.ends_at AND o.starts_at < o.ends_at AND (o.status <> 'cancelled')) THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'ex_bookings_room_free: [starts_at, ends_at) ranges never overlap for the same room where status <> ''cancelled''';
  END IF;
END;;
DELIMITER ;

DELIMITER ;;
CREATE TRIGGER `trg_bookings_room_free_update` BEFORE UPDATE ON `bookings`
FOR EACH ROW BEGIN
  DECLARE held INT;
  SELECT 1 INTO held FROM rooms WHERE id = NEW.room_id FOR UPDATE;
  IF (NEW.status <> 'cancelled') AND EXISTS (SELECT 1 FROM bookings AS o WHERE o.room_id = NEW.room_id AND NEW.starts_at < o.ends_at AND o.starts_at < NEW.ends_at AND NEW.starts_at < NEW.ends_at AND o.starts_at < o.ends_at AND o.id <> OLD.id AND (o.status <> 'cancelled')) THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'ex_bookings_room_free: [starts_at, ends_at) ranges never overlap for the same room where status <> ''cancelled''';
  END IF;
END;;
DELIMITER ;

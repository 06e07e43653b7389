CREATE TABLE `sites` (
  `id` bigint NOT NULL AUTO_INCREMENT,
  `parent_id` bigint NULL,
  `name` varchar(120) NOT NULL,
  `kind` varchar(8) NOT NULL,
  `country` char(2) NULL,
  `created_at` datetime(6) NOT NULL DEFAULT current_timestamp(6),
  `updated_at` datetime(6) NOT NULL DEFAULT current_timestamp(6) ON UPDATE current_timestamp(6),
  PRIMARY KEY (`id`),
  KEY `idx_sites_parent_id_name` (`parent_id`, `name`),
  CONSTRAINT `fk_sites_parent_id` FOREIGN KEY (`parent_id`) REFERENCES `sites` (`id`),
  CONSTRAINT `chk_sites_country` CHECK (country regexp '(?-i)^[A-Z]{2}$'),
  CONSTRAINT `chk_sites_kind` CHECK (kind in ('region', 'campus', 'building', 'room')),
  CONSTRAINT `chk_sites_name` CHECK (char_length(name) >= 1)
) COMMENT='A location; sites nest (region > campus > building > room).';

CREATE TABLE `devices` (
  `id` bigint NOT NULL AUTO_INCREMENT,
  `site_id` bigint NOT NULL,
  `serial_number` varchar(40) NOT NULL,
  `model` varchar(60) NOT NULL,
  `firmware` varchar(20) NULL,
  `active` tinyint(1) NOT NULL DEFAULT 1,
  `last_seen_at` datetime(6) NULL,
  `ip` varchar(45) NULL,
  `created_at` datetime(6) NOT NULL DEFAULT current_timestamp(6),
  `updated_at` datetime(6) NOT NULL DEFAULT current_timestamp(6) ON UPDATE current_timestamp(6),
  PRIMARY KEY (`id`),
  UNIQUE KEY `uq_devices_serial_number` (`serial_number`),
  KEY `idx_devices_site_id` (`site_id`, `serial_number`, `model`, `active`),
  CONSTRAINT `fk_devices_site_id` FOREIGN KEY (`site_id`) REFERENCES `sites` (`id`),
  CONSTRAINT `chk_devices_ip` CHECK (ip is null or is_ipv4(ip) or is_ipv6(ip)),
  CONSTRAINT `chk_devices_model` CHECK (char_length(model) >= 1),
  CONSTRAINT `chk_devices_serial_number` CHECK (char_length(serial_number) >= 1)
) COMMENT='A sensor device.';

CREATE TABLE `readings` (
  `id` bigint NOT NULL AUTO_INCREMENT,
  `device_id` bigint NOT NULL,
  `metric` varchar(11) NOT NULL,
  `value` decimal(12,4) NOT NULL,
  `recorded_at` datetime(6) NOT NULL,
  `created_at` datetime(6) NOT NULL DEFAULT current_timestamp(6),
  PRIMARY KEY (`id`),
  KEY `idx_readings_device_id_metric_recorded_at` (`device_id`, `metric`, `recorded_at`),
  KEY `idx_readings_recorded_at` (`recorded_at`),
  CONSTRAINT `fk_readings_device_id` FOREIGN KEY (`device_id`) REFERENCES `devices` (`id`) ON DELETE CASCADE,
  CONSTRAINT `chk_readings_metric` CHECK (metric in ('temperature', 'humidity', 'co2', 'power'))
) COMMENT='One measurement reported by a device.';

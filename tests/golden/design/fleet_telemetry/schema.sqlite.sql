CREATE TABLE sites (
    id integer NOT NULL,
    parent_id integer,
    name text NOT NULL,
    kind text NOT NULL,
    country text,
    created_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT pk_sites PRIMARY KEY (id),
    CONSTRAINT chk_sites_country CHECK (country GLOB '[A-Z][A-Z]'),
    CONSTRAINT chk_sites_kind CHECK (kind IN ('region', 'campus', 'building', 'room')),
    CONSTRAINT chk_sites_name CHECK (length(name) >= 1 AND length(name) <= 120),
    CONSTRAINT fk_sites_parent_id FOREIGN KEY (parent_id) REFERENCES sites (id) ON DELETE RESTRICT
);

CREATE TABLE devices (
    id integer NOT NULL,
    site_id integer NOT NULL,
    serial_number text NOT NULL,
    model text NOT NULL,
    firmware text,
    active integer NOT NULL DEFAULT 1,
    last_seen_at text,
    ip text,
    created_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT pk_devices PRIMARY KEY (id),
    CONSTRAINT uq_devices_serial_number UNIQUE (serial_number),
    CONSTRAINT chk_devices_active CHECK (active IN (0, 1)),
    CONSTRAINT chk_devices_firmware CHECK (length(firmware) <= 20),
    CONSTRAINT chk_devices_model CHECK (length(model) >= 1 AND length(model) <= 60),
    CONSTRAINT chk_devices_serial_number CHECK (length(serial_number) >= 1 AND length(serial_number) <= 40),
    CONSTRAINT fk_devices_site_id FOREIGN KEY (site_id) REFERENCES sites (id) ON DELETE RESTRICT
);

CREATE TABLE readings (
    id integer NOT NULL,
    device_id integer NOT NULL,
    metric text NOT NULL,
    value numeric(12,4) NOT NULL,
    recorded_at text NOT NULL,
    created_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT pk_readings PRIMARY KEY (id),
    CONSTRAINT chk_readings_metric CHECK (metric IN ('temperature', 'humidity', 'co2', 'power')),
    CONSTRAINT fk_readings_device_id FOREIGN KEY (device_id) REFERENCES devices (id) ON DELETE CASCADE
);

CREATE INDEX idx_sites_parent_id_name ON sites (parent_id, name);

CREATE INDEX idx_devices_site_id ON devices (site_id);

CREATE INDEX idx_readings_device_id_metric_recorded_at ON readings (device_id, metric, recorded_at);

CREATE TRIGGER trg_devices_set_updated_at AFTER UPDATE ON devices
FOR EACH ROW
WHEN NEW.updated_at IS OLD.updated_at
BEGIN
    UPDATE devices SET updated_at = CURRENT_TIMESTAMP WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER trg_sites_set_updated_at AFTER UPDATE ON sites
FOR EACH ROW
WHEN NEW.updated_at IS OLD.updated_at
BEGIN
    UPDATE sites SET updated_at = CURRENT_TIMESTAMP WHERE rowid = NEW.rowid;
END;

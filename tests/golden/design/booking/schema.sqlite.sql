CREATE TABLE people (
    id integer NOT NULL,
    email text NOT NULL,
    display_name text NOT NULL,
    created_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT pk_people PRIMARY KEY (id),
    CONSTRAINT uq_people_email UNIQUE (email),
    CONSTRAINT chk_people_display_name CHECK (length(display_name) >= 1 AND length(display_name) <= 100),
    CONSTRAINT chk_people_email CHECK (length(email) <= 254 AND email LIKE '%_@_%._%' AND email = lower(email))
);

CREATE TABLE buildings (
    id integer NOT NULL,
    name text NOT NULL,
    city text NOT NULL,
    time_zone text NOT NULL,
    created_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT pk_buildings PRIMARY KEY (id),
    CONSTRAINT uq_buildings_name UNIQUE (name),
    CONSTRAINT chk_buildings_city CHECK (length(city) >= 1 AND length(city) <= 80),
    CONSTRAINT chk_buildings_name CHECK (length(name) >= 1 AND length(name) <= 120),
    CONSTRAINT chk_buildings_time_zone CHECK (length(time_zone) >= 1 AND length(time_zone) <= 40)
);

CREATE TABLE rooms (
    id integer NOT NULL,
    building_id integer NOT NULL,
    name text NOT NULL,
    capacity integer NOT NULL,
    has_video integer NOT NULL DEFAULT 0,
    created_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT pk_rooms PRIMARY KEY (id),
    CONSTRAINT uq_rooms_building_id_name UNIQUE (building_id, name),
    CONSTRAINT chk_rooms_capacity CHECK (capacity >= 1 AND capacity <= 500),
    CONSTRAINT chk_rooms_has_video CHECK (has_video IN (0, 1)),
    CONSTRAINT chk_rooms_name CHECK (length(name) >= 1 AND length(name) <= 80),
    CONSTRAINT fk_rooms_building_id FOREIGN KEY (building_id) REFERENCES buildings (id) ON DELETE RESTRICT
);

CREATE TABLE bookings (
    id integer NOT NULL,
    room_id integer NOT NULL,
    organiser_id integer NOT NULL,
    title text NOT NULL,
    starts_at text NOT NULL,
    ends_at text NOT NULL,
    attendees integer NOT NULL,
    status text NOT NULL DEFAULT 'confirmed',
    cancelled_at text,
    created_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT pk_bookings PRIMARY KEY (id),
    CONSTRAINT chk_bookings_attendees CHECK (attendees >= 1 AND attendees <= 500),
    CONSTRAINT chk_bookings_cancelled_when CHECK (cancelled_at is null or status = 'cancelled'),
    CONSTRAINT chk_bookings_ends_after_start CHECK (ends_at > starts_at),
    CONSTRAINT chk_bookings_status CHECK (status IN ('tentative', 'confirmed', 'cancelled')),
    CONSTRAINT chk_bookings_title CHECK (length(title) >= 1 AND length(title) <= 200),
    CONSTRAINT fk_bookings_organiser_id FOREIGN KEY (organiser_id) REFERENCES people (id) ON DELETE RESTRICT,
    CONSTRAINT fk_bookings_room_id FOREIGN KEY (room_id) REFERENCES rooms (id) ON DELETE CASCADE
);

CREATE INDEX idx_bookings_organiser_id_starts_at ON bookings (organiser_id, starts_at);

CREATE INDEX idx_bookings_room_id_starts_at ON bookings (room_id, starts_at);

CREATE TRIGGER trg_bookings_room_free_insert BEFORE INSERT ON bookings
FOR EACH ROW
WHEN (NEW.status <> 'cancelled') AND EXISTS (SELECT 1 FROM bookings AS o WHERE o.room_id = NEW.room_id AND NEW.starts_at < o.ends_at AND o.starts_at < NEW.ends_at AND NEW.starts_at < NEW.ends_at AND o.starts_at < o.ends_at AND (o.status <> 'cancelled'))
BEGIN
    SELECT RAISE(ABORT, 'ex_bookings_room_free: [starts_at, ends_at) ranges never overlap for the same room where status <> ''cancelled''');
END;

CREATE TRIGGER trg_bookings_room_free_update BEFORE UPDATE ON bookings
FOR EACH ROW
WHEN (NEW.status <> 'cancelled') AND EXISTS (SELECT 1 FROM bookings AS o WHERE o.room_id = NEW.room_id AND NEW.starts_at < o.ends_at AND o.starts_at < NEW.ends_at AND NEW.starts_at < NEW.ends_at AND o.starts_at < o.ends_at AND o.rowid <> OLD.rowid AND (o.status <> 'cancelled'))
BEGIN
    SELECT RAISE(ABORT, 'ex_bookings_room_free: [starts_at, ends_at) ranges never overlap for the same room where status <> ''cancelled''');
END;

CREATE TRIGGER trg_bookings_set_updated_at AFTER UPDATE ON bookings
FOR EACH ROW
WHEN NEW.updated_at IS OLD.updated_at
BEGIN
    UPDATE bookings SET updated_at = CURRENT_TIMESTAMP WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER trg_buildings_set_updated_at AFTER UPDATE ON buildings
FOR EACH ROW
WHEN NEW.updated_at IS OLD.updated_at
BEGIN
    UPDATE buildings SET updated_at = CURRENT_TIMESTAMP WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER trg_people_set_updated_at AFTER UPDATE ON people
FOR EACH ROW
WHEN NEW.updated_at IS OLD.updated_at
BEGIN
    UPDATE people SET updated_at = CURRENT_TIMESTAMP WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER trg_rooms_set_updated_at AFTER UPDATE ON rooms
FOR EACH ROW
WHEN NEW.updated_at IS OLD.updated_at
BEGIN
    UPDATE rooms SET updated_at = CURRENT_TIMESTAMP WHERE rowid = NEW.rowid;
END;

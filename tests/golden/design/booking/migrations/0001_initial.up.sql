SET check_function_bodies = false;
SET standard_conforming_strings = on;
SET search_path = public;

CREATE FUNCTION public.set_updated_at() RETURNS trigger
    LANGUAGE plpgsql
AS $body$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$body$;
COMMENT ON FUNCTION public.set_updated_at() IS 'Sets updated_at on every UPDATE (the trg_*_set_updated_at triggers).';

CREATE TABLE public.bookings (
    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    room_id bigint NOT NULL,
    organiser_id bigint NOT NULL,
    title text NOT NULL,
    starts_at timestamp with time zone NOT NULL,
    ends_at timestamp with time zone NOT NULL,
    attendees smallint NOT NULL,
    status text DEFAULT 'confirmed' NOT NULL,
    cancelled_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT pk_bookings PRIMARY KEY (id),
    CONSTRAINT chk_bookings_attendees CHECK (attendees >= 1 AND attendees <= 500),
    CONSTRAINT chk_bookings_cancelled_when CHECK (cancelled_at is null or status = 'cancelled'),
    CONSTRAINT chk_bookings_ends_after_start CHECK (ends_at > starts_at),
    CONSTRAINT chk_bookings_status CHECK (status IN ('tentative', 'confirmed', 'cancelled')),
    CONSTRAINT chk_bookings_title CHECK (char_length(title) >= 1 AND char_length(title) <= 200),
    CONSTRAINT ex_bookings_room_free EXCLUDE USING gist ((int8range(room_id, room_id, '[]'::text)) WITH &&, (tstzrange(starts_at, ends_at)) WITH &&) WHERE (status <> 'cancelled')
);
COMMENT ON TABLE public.bookings IS 'A room held for a meeting over [starts_at, ends_at).';
COMMENT ON COLUMN public.bookings.cancelled_at IS 'When the booking was cancelled.';

CREATE TABLE public.buildings (
    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    name text NOT NULL,
    city text NOT NULL,
    time_zone text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT pk_buildings PRIMARY KEY (id),
    CONSTRAINT uq_buildings_name UNIQUE (name),
    CONSTRAINT chk_buildings_city CHECK (char_length(city) >= 1 AND char_length(city) <= 80),
    CONSTRAINT chk_buildings_name CHECK (char_length(name) >= 1 AND char_length(name) <= 120),
    CONSTRAINT chk_buildings_time_zone CHECK (char_length(time_zone) >= 1 AND char_length(time_zone) <= 40)
);
COMMENT ON TABLE public.buildings IS 'An office building.';
COMMENT ON COLUMN public.buildings.time_zone IS 'IANA time zone the building''s rooms are shown in.';

CREATE TABLE public.people (
    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    email text NOT NULL,
    display_name text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT pk_people PRIMARY KEY (id),
    CONSTRAINT uq_people_email UNIQUE (email),
    CONSTRAINT chk_people_display_name CHECK (char_length(display_name) >= 1 AND char_length(display_name) <= 100),
    CONSTRAINT chk_people_email CHECK (char_length(email) <= 254 AND email ~ '^[^@\sA-Z]+@[^@\sA-Z]+\.[^@\sA-Z]+$')
);
COMMENT ON TABLE public.people IS 'An employee who books rooms.';
COMMENT ON COLUMN public.people.email IS 'PII: personal data; encrypt at rest.';
COMMENT ON COLUMN public.people.display_name IS 'PII: personal data; encrypt at rest.';

CREATE TABLE public.rooms (
    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    building_id bigint NOT NULL,
    name text NOT NULL,
    capacity smallint NOT NULL,
    has_video boolean DEFAULT false NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT pk_rooms PRIMARY KEY (id),
    CONSTRAINT uq_rooms_building_id_name UNIQUE (building_id, name),
    CONSTRAINT chk_rooms_capacity CHECK (capacity >= 1 AND capacity <= 500),
    CONSTRAINT chk_rooms_name CHECK (char_length(name) >= 1 AND char_length(name) <= 80)
);
COMMENT ON TABLE public.rooms IS 'A bookable meeting room.';
COMMENT ON COLUMN public.rooms.capacity IS 'Seats in the room.';

CREATE INDEX idx_bookings_organiser_id_starts_at ON public.bookings (organiser_id, starts_at);

CREATE INDEX idx_bookings_room_id_starts_at ON public.bookings (room_id, starts_at);

ALTER TABLE public.bookings ADD CONSTRAINT fk_bookings_organiser_id FOREIGN KEY (organiser_id) REFERENCES public.people (id) ON DELETE RESTRICT;

ALTER TABLE public.bookings ADD CONSTRAINT fk_bookings_room_id FOREIGN KEY (room_id) REFERENCES public.rooms (id) ON DELETE CASCADE;

ALTER TABLE public.rooms ADD CONSTRAINT fk_rooms_building_id FOREIGN KEY (building_id) REFERENCES public.buildings (id) ON DELETE RESTRICT;

CREATE TRIGGER trg_bookings_set_updated_at BEFORE UPDATE ON public.bookings FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

CREATE TRIGGER trg_buildings_set_updated_at BEFORE UPDATE ON public.buildings FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

CREATE TRIGGER trg_people_set_updated_at BEFORE UPDATE ON public.people FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

CREATE TRIGGER trg_rooms_set_updated_at BEFORE UPDATE ON public.rooms FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

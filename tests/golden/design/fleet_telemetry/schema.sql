SET check_function_bodies = false;
SET standard_conforming_strings = on;
SET search_path = public;

CREATE FUNCTION public.maintain_monthly_partitions(parent regclass, retention interval DEFAULT NULL::interval, ahead integer DEFAULT 3, as_of timestamp with time zone DEFAULT now()) RETURNS SETOF text
    LANGUAGE plpgsql
    SET lock_timeout TO '10s'
    SET search_path TO 'pg_catalog', 'pg_temp'
AS $body$
DECLARE
    nsp name;
    rel name;
    m timestamp := date_trunc('month', as_of AT TIME ZONE 'UTC');
    last_month timestamp := date_trunc('month', as_of AT TIME ZONE 'UTC')
        + make_interval(months => ahead);
    part record;
    pname text;
BEGIN
    SELECT n.nspname, c.relname INTO nsp, rel
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.oid = parent AND c.relkind = 'p';
    IF NOT FOUND THEN
        RAISE EXCEPTION '% is not a partitioned table', parent;
    END IF;
    IF retention IS NOT NULL THEN
        m := date_trunc('month', (as_of - retention) AT TIME ZONE 'UTC');
    END IF;
    WHILE m <= last_month LOOP
        pname := left(rel, 55) || to_char(m, '"_"YYYY"_"MM');
        IF NOT EXISTS (SELECT FROM pg_class c JOIN pg_inherits i ON i.inhrelid = c.oid
                        WHERE i.inhparent = parent AND c.relname = pname) THEN
            EXECUTE format('CREATE TABLE %I.%I PARTITION OF %s FOR VALUES FROM (%L) TO (%L)',
                           nsp, pname, parent, m::text || '+00',
                           (m + interval '1 month')::text || '+00');
            RETURN NEXT 'created ' || pname;
        END IF;
        m := m + interval '1 month';
    END LOOP;
    IF retention IS NULL THEN
        RETURN;
    END IF;
    FOR part IN
        SELECT c.oid::regclass AS child, c.relname,
               substring(pg_get_expr(c.relpartbound, c.oid) FROM 'TO \(''([^'']+)''\)') AS hi
          FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
         WHERE i.inhparent = parent
         ORDER BY 3
    LOOP
        CONTINUE WHEN part.hi IS NULL;  -- the DEFAULT partition, or MAXVALUE
        IF part.hi::timestamptz <= as_of - retention THEN
            EXECUTE format('ALTER TABLE %s DETACH PARTITION %s', parent, part.child);
            EXECUTE format('DROP TABLE %s', part.child);
            RETURN NEXT 'dropped ' || part.relname;
        END IF;
    END LOOP;
END
$body$;
COMMENT ON FUNCTION public.maintain_monthly_partitions(regclass, interval, integer, timestamp with time zone) IS 'Monthly partitions of a table partitioned by range of a timestamp: creates those from the oldest month retention keeps to `ahead` months after `as_of`, detaches and drops those wholly past retention; returns what it did.';

CREATE FUNCTION public.set_updated_at() RETURNS trigger
    LANGUAGE plpgsql
AS $body$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$body$;
COMMENT ON FUNCTION public.set_updated_at() IS 'Sets updated_at on every UPDATE (the trg_*_set_updated_at triggers).';

CREATE TABLE public.devices (
    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    site_id bigint NOT NULL,
    serial_number text NOT NULL,
    model text NOT NULL,
    firmware text,
    active boolean DEFAULT true NOT NULL,
    last_seen_at timestamp with time zone,
    ip inet,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT pk_devices PRIMARY KEY (id),
    CONSTRAINT uq_devices_serial_number UNIQUE (serial_number),
    CONSTRAINT chk_devices_firmware CHECK (char_length(firmware) <= 20),
    CONSTRAINT chk_devices_model CHECK (char_length(model) >= 1 AND char_length(model) <= 60),
    CONSTRAINT chk_devices_serial_number CHECK (char_length(serial_number) >= 1 AND char_length(serial_number) <= 40)
);
COMMENT ON TABLE public.devices IS 'A sensor device.';

CREATE TABLE public.readings (
    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    device_id bigint NOT NULL,
    metric text NOT NULL,
    value numeric(12,4) NOT NULL,
    recorded_at timestamp with time zone NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT pk_readings PRIMARY KEY (id, recorded_at),
    CONSTRAINT chk_readings_metric CHECK (metric IN ('temperature', 'humidity', 'co2', 'power'))
) PARTITION BY RANGE (recorded_at);
COMMENT ON TABLE public.readings IS 'One measurement reported by a device.';

CREATE TABLE public.readings_2025_10 PARTITION OF public.readings FOR VALUES FROM ('2025-10-01 00:00:00+00') TO ('2025-11-01 00:00:00+00');

CREATE TABLE public.readings_2025_11 PARTITION OF public.readings FOR VALUES FROM ('2025-11-01 00:00:00+00') TO ('2025-12-01 00:00:00+00');

CREATE TABLE public.readings_2025_12 PARTITION OF public.readings FOR VALUES FROM ('2025-12-01 00:00:00+00') TO ('2026-01-01 00:00:00+00');

CREATE TABLE public.readings_2026_01 PARTITION OF public.readings FOR VALUES FROM ('2026-01-01 00:00:00+00') TO ('2026-02-01 00:00:00+00');

CREATE TABLE public.readings_2026_02 PARTITION OF public.readings FOR VALUES FROM ('2026-02-01 00:00:00+00') TO ('2026-03-01 00:00:00+00');

CREATE TABLE public.readings_2026_03 PARTITION OF public.readings FOR VALUES FROM ('2026-03-01 00:00:00+00') TO ('2026-04-01 00:00:00+00');

CREATE TABLE public.readings_2026_04 PARTITION OF public.readings FOR VALUES FROM ('2026-04-01 00:00:00+00') TO ('2026-05-01 00:00:00+00');

CREATE TABLE public.sites (
    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    parent_id bigint,
    name text NOT NULL,
    kind text NOT NULL,
    country text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT pk_sites PRIMARY KEY (id),
    CONSTRAINT chk_sites_country CHECK (country ~ '^[A-Z]{2}$'),
    CONSTRAINT chk_sites_kind CHECK (kind IN ('region', 'campus', 'building', 'room')),
    CONSTRAINT chk_sites_name CHECK (char_length(name) >= 1 AND char_length(name) <= 120)
);
COMMENT ON TABLE public.sites IS 'A location; sites nest (region > campus > building > room).';

CREATE INDEX idx_devices_site_id ON public.devices (site_id);

CREATE INDEX idx_readings_device_id_metric_recorded_at ON public.readings (device_id, metric, recorded_at);

CREATE INDEX idx_sites_parent_id_name ON public.sites (parent_id, name);

ALTER TABLE public.devices ADD CONSTRAINT fk_devices_site_id FOREIGN KEY (site_id) REFERENCES public.sites (id) ON DELETE RESTRICT;

ALTER TABLE public.readings ADD CONSTRAINT fk_readings_device_id FOREIGN KEY (device_id) REFERENCES public.devices (id) ON DELETE CASCADE;

ALTER TABLE public.sites ADD CONSTRAINT fk_sites_parent_id FOREIGN KEY (parent_id) REFERENCES public.sites (id) ON DELETE RESTRICT;

CREATE TRIGGER trg_devices_set_updated_at BEFORE UPDATE ON public.devices FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

CREATE TRIGGER trg_sites_set_updated_at BEFORE UPDATE ON public.sites FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

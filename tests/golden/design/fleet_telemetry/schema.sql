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

CREATE TABLE public.readings_default PARTITION OF public.readings DEFAULT;

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

DROP TRIGGER trg_sites_set_updated_at ON public.sites;

DROP TRIGGER trg_devices_set_updated_at ON public.devices;

ALTER TABLE public.sites DROP CONSTRAINT fk_sites_parent_id;

ALTER TABLE public.readings DROP CONSTRAINT fk_readings_device_id;

ALTER TABLE public.devices DROP CONSTRAINT fk_devices_site_id;

DROP INDEX public.idx_sites_parent_id_name;

DROP INDEX public.idx_readings_device_id_metric_recorded_at;

DROP INDEX public.idx_devices_site_id;

DROP TABLE public.sites;

DROP TABLE public.readings;

DROP TABLE public.devices;

DROP FUNCTION public.set_updated_at();

DROP FUNCTION public.maintain_monthly_partitions(regclass, interval, integer, timestamp with time zone);

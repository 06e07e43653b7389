DROP TRIGGER trg_rooms_set_updated_at ON public.rooms;

DROP TRIGGER trg_people_set_updated_at ON public.people;

DROP TRIGGER trg_buildings_set_updated_at ON public.buildings;

DROP TRIGGER trg_bookings_set_updated_at ON public.bookings;

ALTER TABLE public.rooms DROP CONSTRAINT fk_rooms_building_id;

ALTER TABLE public.bookings DROP CONSTRAINT fk_bookings_room_id;

ALTER TABLE public.bookings DROP CONSTRAINT fk_bookings_organiser_id;

DROP INDEX public.idx_bookings_room_id_starts_at;

DROP INDEX public.idx_bookings_organiser_id_starts_at;

DROP TABLE public.rooms;

DROP TABLE public.people;

DROP TABLE public.buildings;

DROP TABLE public.bookings;

DROP FUNCTION public.set_updated_at();

DROP TRIGGER trg_products_set_updated_at ON public.products;

DROP INDEX public.idx_products_embedding;

DROP TABLE public.products;

DROP FUNCTION public.set_updated_at();

DROP EXTENSION vector;

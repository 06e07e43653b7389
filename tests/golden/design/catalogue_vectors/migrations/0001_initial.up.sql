SET check_function_bodies = false;
SET standard_conforming_strings = on;
SET search_path = public;

CREATE EXTENSION IF NOT EXISTS vector WITH SCHEMA public;

CREATE FUNCTION public.set_updated_at() RETURNS trigger
    LANGUAGE plpgsql
AS $body$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$body$;
COMMENT ON FUNCTION public.set_updated_at() IS 'Sets updated_at on every UPDATE (the trg_*_set_updated_at triggers).';

CREATE TABLE public.products (
    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    sku text NOT NULL,
    name text NOT NULL,
    description text,
    price numeric(12,2) NOT NULL,
    category text NOT NULL,
    embedding public.vector(384) NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT pk_products PRIMARY KEY (id),
    CONSTRAINT uq_products_sku UNIQUE (sku),
    CONSTRAINT chk_products_category CHECK (category IN ('books', 'garden', 'kitchen', 'toys', 'tools', 'sports', 'music', 'games')),
    CONSTRAINT chk_products_name CHECK (char_length(name) >= 1 AND char_length(name) <= 200),
    CONSTRAINT chk_products_sku CHECK (char_length(sku) >= 1 AND char_length(sku) <= 32)
);
COMMENT ON TABLE public.products IS 'An item the shop sells, with an embedding of its text for semantic search.';
COMMENT ON COLUMN public.products.price IS 'Amount in EUR.';
COMMENT ON COLUMN public.products.embedding IS 'The text''s embedding (a 384-dimension sentence model).';

CREATE INDEX idx_products_embedding ON public.products USING hnsw (embedding public.vector_cosine_ops);

CREATE TRIGGER trg_products_set_updated_at BEFORE UPDATE ON public.products FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

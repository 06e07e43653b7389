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

CREATE TABLE public.cooks (
    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    username text NOT NULL,
    email text NOT NULL,
    display_name text NOT NULL,
    phone text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT pk_cooks PRIMARY KEY (id),
    CONSTRAINT uq_cooks_email UNIQUE (email),
    CONSTRAINT uq_cooks_username UNIQUE (username),
    CONSTRAINT chk_cooks_display_name CHECK (char_length(display_name) >= 1 AND char_length(display_name) <= 80),
    CONSTRAINT chk_cooks_email CHECK (char_length(email) <= 254 AND email ~ '^[^@\sA-Z]+@[^@\sA-Z]+\.[^@\sA-Z]+$'),
    CONSTRAINT chk_cooks_phone CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
    CONSTRAINT chk_cooks_username CHECK (char_length(username) >= 1 AND char_length(username) <= 30)
);
COMMENT ON TABLE public.cooks IS 'A member of the site who publishes and reviews recipes.';
COMMENT ON COLUMN public.cooks.email IS 'PII: personal data; encrypt at rest.';
COMMENT ON COLUMN public.cooks.phone IS 'For account recovery; optional. PII: personal data; encrypt at rest.';

CREATE TABLE public.ingredients (
    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    name text NOT NULL,
    aisle text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT pk_ingredients PRIMARY KEY (id),
    CONSTRAINT uq_ingredients_name UNIQUE (name),
    CONSTRAINT chk_ingredients_aisle CHECK (aisle IN ('produce', 'dairy', 'meat', 'fish', 'bakery', 'pantry', 'spices', 'frozen', 'drinks')),
    CONSTRAINT chk_ingredients_name CHECK (char_length(name) >= 1 AND char_length(name) <= 80)
);
COMMENT ON TABLE public.ingredients IS 'Something a recipe is made with.';

CREATE TABLE public.recipe_ingredients (
    recipe_id bigint NOT NULL,
    ingredient_id bigint NOT NULL,
    quantity numeric(8,2) NOT NULL,
    unit text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT pk_recipe_ingredients PRIMARY KEY (recipe_id, ingredient_id),
    CONSTRAINT chk_recipe_ingredients_quantity CHECK (quantity >= 0),
    CONSTRAINT chk_recipe_ingredients_unit CHECK (unit IN ('g', 'kg', 'ml', 'l', 'tsp', 'tbsp', 'cup', 'piece'))
);
COMMENT ON TABLE public.recipe_ingredients IS 'What goes into a recipe, and how much.';

CREATE TABLE public.recipes (
    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    cook_id bigint NOT NULL,
    title text NOT NULL,
    summary text NOT NULL,
    cuisine text NOT NULL,
    minutes smallint NOT NULL,
    published_at timestamp with time zone NOT NULL,
    search_vector tsvector GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, coalesce(title, '') || ' ' || coalesce(summary, ''))) STORED,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT pk_recipes PRIMARY KEY (id),
    CONSTRAINT chk_recipes_cuisine CHECK (cuisine IN ('italian', 'french', 'indian', 'chinese', 'mexican', 'japanese', 'other')),
    CONSTRAINT chk_recipes_minutes CHECK (minutes >= 1 AND minutes <= 2880),
    CONSTRAINT chk_recipes_summary CHECK (char_length(summary) >= 1 AND char_length(summary) <= 500),
    CONSTRAINT chk_recipes_title CHECK (char_length(title) >= 1 AND char_length(title) <= 160)
);
COMMENT ON TABLE public.recipes IS 'A dish and how to make it.';
COMMENT ON COLUMN public.recipes.minutes IS 'Time from start to table.';

CREATE TABLE public.reviews (
    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    recipe_id bigint NOT NULL,
    reviewer_id bigint NOT NULL,
    rating smallint NOT NULL,
    body text,
    posted_at timestamp with time zone NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT pk_reviews PRIMARY KEY (id),
    CONSTRAINT chk_reviews_body CHECK (char_length(body) <= 2000),
    CONSTRAINT chk_reviews_rating CHECK (rating >= 1 AND rating <= 5)
);
COMMENT ON TABLE public.reviews IS 'A cook''s rating and words on a recipe.';

CREATE INDEX idx_cooks_phone ON public.cooks (phone);

CREATE INDEX idx_recipe_ingredients_ingredient_id_recipe_id ON public.recipe_ingredients (ingredient_id, recipe_id);

CREATE INDEX idx_recipes_cook_id_published_at ON public.recipes (cook_id, published_at);

CREATE INDEX idx_recipes_search_vector ON public.recipes USING gin (search_vector);

CREATE INDEX idx_reviews_recipe_id_posted_at ON public.reviews (recipe_id, posted_at);

CREATE INDEX idx_reviews_reviewer_id ON public.reviews (reviewer_id);

ALTER TABLE public.recipe_ingredients ADD CONSTRAINT fk_recipe_ingredients_ingredient_id FOREIGN KEY (ingredient_id) REFERENCES public.ingredients (id) ON DELETE CASCADE;

ALTER TABLE public.recipe_ingredients ADD CONSTRAINT fk_recipe_ingredients_recipe_id FOREIGN KEY (recipe_id) REFERENCES public.recipes (id) ON DELETE CASCADE;

ALTER TABLE public.recipes ADD CONSTRAINT fk_recipes_cook_id FOREIGN KEY (cook_id) REFERENCES public.cooks (id) ON DELETE RESTRICT;

ALTER TABLE public.reviews ADD CONSTRAINT fk_reviews_recipe_id FOREIGN KEY (recipe_id) REFERENCES public.recipes (id) ON DELETE CASCADE;

ALTER TABLE public.reviews ADD CONSTRAINT fk_reviews_reviewer_id FOREIGN KEY (reviewer_id) REFERENCES public.cooks (id) ON DELETE CASCADE;

CREATE TRIGGER trg_cooks_set_updated_at BEFORE UPDATE ON public.cooks FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

CREATE TRIGGER trg_ingredients_set_updated_at BEFORE UPDATE ON public.ingredients FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

CREATE TRIGGER trg_recipe_ingredients_set_updated_at BEFORE UPDATE ON public.recipe_ingredients FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

CREATE TRIGGER trg_recipes_set_updated_at BEFORE UPDATE ON public.recipes FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

CREATE TRIGGER trg_reviews_set_updated_at BEFORE UPDATE ON public.reviews FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

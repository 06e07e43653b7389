DROP TRIGGER trg_reviews_set_updated_at ON public.reviews;

DROP TRIGGER trg_recipes_set_updated_at ON public.recipes;

DROP TRIGGER trg_recipe_ingredients_set_updated_at ON public.recipe_ingredients;

DROP TRIGGER trg_ingredients_set_updated_at ON public.ingredients;

DROP TRIGGER trg_cooks_set_updated_at ON public.cooks;

ALTER TABLE public.reviews DROP CONSTRAINT fk_reviews_reviewer_id;

ALTER TABLE public.reviews DROP CONSTRAINT fk_reviews_recipe_id;

ALTER TABLE public.recipes DROP CONSTRAINT fk_recipes_cook_id;

ALTER TABLE public.recipe_ingredients DROP CONSTRAINT fk_recipe_ingredients_recipe_id;

ALTER TABLE public.recipe_ingredients DROP CONSTRAINT fk_recipe_ingredients_ingredient_id;

DROP INDEX public.idx_reviews_reviewer_id;

DROP INDEX public.idx_reviews_recipe_id_posted_at;

DROP INDEX public.idx_recipes_search_vector;

DROP INDEX public.idx_recipes_cook_id_published_at;

DROP INDEX public.idx_recipe_ingredients_ingredient_id_recipe_id;

DROP INDEX public.idx_cooks_phone;

DROP TABLE public.reviews;

DROP TABLE public.recipes;

DROP TABLE public.recipe_ingredients;

DROP TABLE public.ingredients;

DROP TABLE public.cooks;

DROP FUNCTION public.set_updated_at();

DROP TRIGGER trg_products_set_updated_at ON public.products;

DROP TRIGGER trg_product_categories_set_updated_at ON public.product_categories;

DROP TRIGGER trg_payments_set_updated_at ON public.payments;

DROP TRIGGER trg_orders_set_updated_at ON public.orders;

DROP TRIGGER trg_order_items_set_updated_at ON public.order_items;

DROP TRIGGER trg_inventory_levels_set_updated_at ON public.inventory_levels;

DROP TRIGGER trg_customers_set_updated_at ON public.customers;

DROP TRIGGER trg_categories_set_updated_at ON public.categories;

ALTER TABLE public.product_categories DROP CONSTRAINT fk_product_categories_product_id;

ALTER TABLE public.product_categories DROP CONSTRAINT fk_product_categories_category_id;

ALTER TABLE public.payments DROP CONSTRAINT fk_payments_order_id;

ALTER TABLE public.orders DROP CONSTRAINT fk_orders_customer_id;

ALTER TABLE public.order_items DROP CONSTRAINT fk_order_items_product_id;

ALTER TABLE public.order_items DROP CONSTRAINT fk_order_items_order_id;

ALTER TABLE public.inventory_levels DROP CONSTRAINT fk_inventory_levels_product_id;

ALTER TABLE public.categories DROP CONSTRAINT fk_categories_parent_id;

DROP INDEX public.idx_products_search_vector;

DROP INDEX public.idx_products_price_active;

DROP INDEX public.idx_product_categories_category_id;

DROP INDEX public.idx_payments_order_id;

DROP INDEX public.idx_orders_placed_at_paid;

DROP INDEX public.idx_orders_placed_at;

DROP INDEX public.idx_orders_customer_id_placed_at;

DROP INDEX public.idx_order_items_product_id;

DROP INDEX public.idx_categories_parent_id;

DROP TABLE public.products;

DROP TABLE public.product_categories;

DROP TABLE public.payments;

DROP TABLE public.orders;

DROP TABLE public.order_items;

DROP TABLE public.inventory_levels;

DROP TABLE public.customers;

DROP TABLE public.categories;

DROP FUNCTION public.set_updated_at();

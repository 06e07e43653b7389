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

CREATE TABLE public.categories (
    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    parent_id bigint,
    name text NOT NULL,
    slug text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT pk_categories PRIMARY KEY (id),
    CONSTRAINT uq_categories_slug UNIQUE (slug),
    CONSTRAINT chk_categories_name CHECK (char_length(name) >= 1 AND char_length(name) <= 100),
    CONSTRAINT chk_categories_slug CHECK (char_length(slug) >= 1 AND char_length(slug) <= 100)
);
COMMENT ON TABLE public.categories IS 'A node of the catalogue tree.';

CREATE TABLE public.customers (
    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    email text NOT NULL,
    full_name text NOT NULL,
    password_hash text NOT NULL,
    phone text,
    country text NOT NULL,
    marketing_opt_in boolean DEFAULT false NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT pk_customers PRIMARY KEY (id),
    CONSTRAINT uq_customers_email UNIQUE (email),
    CONSTRAINT chk_customers_country CHECK (country ~ '^[A-Z]{2}$'),
    CONSTRAINT chk_customers_email CHECK (char_length(email) <= 254 AND email ~ '^[^@\sA-Z]+@[^@\sA-Z]+\.[^@\sA-Z]+$'),
    CONSTRAINT chk_customers_full_name CHECK (char_length(full_name) >= 1 AND char_length(full_name) <= 200),
    CONSTRAINT chk_customers_password_hash CHECK (char_length(password_hash) >= 20 AND char_length(password_hash) <= 255),
    CONSTRAINT chk_customers_phone CHECK (phone ~ '^\+[1-9][0-9]{6,14}$')
);
COMMENT ON TABLE public.customers IS 'A person who can sign in and place orders.';
COMMENT ON COLUMN public.customers.email IS 'Sign-in address. PII: personal data; encrypt at rest.';
COMMENT ON COLUMN public.customers.full_name IS 'PII: personal data; encrypt at rest.';
COMMENT ON COLUMN public.customers.phone IS 'PII: personal data; encrypt at rest.';

CREATE TABLE public.inventory_levels (
    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    product_id bigint NOT NULL,
    warehouse text NOT NULL,
    quantity_on_hand integer NOT NULL,
    reorder_level integer DEFAULT 0 NOT NULL,
    version integer DEFAULT 1 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT pk_inventory_levels PRIMARY KEY (id),
    CONSTRAINT uq_inventory_levels_product_id_warehouse UNIQUE (product_id, warehouse),
    CONSTRAINT chk_inventory_levels_quantity_on_hand CHECK (quantity_on_hand >= 0),
    CONSTRAINT chk_inventory_levels_reorder_level CHECK (reorder_level >= 0),
    CONSTRAINT chk_inventory_levels_warehouse CHECK (char_length(warehouse) >= 1 AND char_length(warehouse) <= 20)
);
COMMENT ON TABLE public.inventory_levels IS 'Stock on hand for a product in a warehouse.';

CREATE TABLE public.order_items (
    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    order_id bigint NOT NULL,
    product_id bigint NOT NULL,
    quantity smallint NOT NULL,
    unit_price numeric(12,2) NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT pk_order_items PRIMARY KEY (id),
    CONSTRAINT uq_order_items_order_id_product_id UNIQUE (order_id, product_id),
    CONSTRAINT chk_order_items_quantity CHECK (quantity >= 1 AND quantity <= 1000),
    CONSTRAINT chk_order_items_unit_price CHECK (unit_price >= 0)
);
COMMENT ON TABLE public.order_items IS 'One product line of an order.';
COMMENT ON COLUMN public.order_items.unit_price IS 'Amount in EUR.';

CREATE TABLE public.orders (
    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    customer_id bigint NOT NULL,
    status text DEFAULT 'pending' NOT NULL,
    total numeric(12,2) NOT NULL,
    placed_at timestamp with time zone NOT NULL,
    shipping_country text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT pk_orders PRIMARY KEY (id),
    CONSTRAINT chk_orders_shipping_country CHECK (shipping_country ~ '^[A-Z]{2}$'),
    CONSTRAINT chk_orders_status CHECK (status IN ('pending', 'paid', 'shipped', 'delivered', 'cancelled')),
    CONSTRAINT chk_orders_total CHECK (total >= 0)
);
COMMENT ON TABLE public.orders IS 'A customer''s purchase of one or more products.';
COMMENT ON COLUMN public.orders.total IS 'Amount in EUR.';

CREATE TABLE public.payments (
    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    order_id bigint NOT NULL,
    amount numeric(12,2) NOT NULL,
    provider text NOT NULL,
    provider_reference text NOT NULL,
    status text DEFAULT 'initiated' NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT pk_payments PRIMARY KEY (id),
    CONSTRAINT uq_payments_provider_reference UNIQUE (provider_reference),
    CONSTRAINT chk_payments_amount CHECK (amount >= 0),
    CONSTRAINT chk_payments_provider CHECK (provider IN ('card', 'paypal', 'bank_transfer')),
    CONSTRAINT chk_payments_provider_reference CHECK (char_length(provider_reference) >= 1 AND char_length(provider_reference) <= 100),
    CONSTRAINT chk_payments_status CHECK (status IN ('initiated', 'succeeded', 'failed', 'refunded'))
);
COMMENT ON TABLE public.payments IS 'A payment attempt for an order.';
COMMENT ON COLUMN public.payments.amount IS 'Amount in EUR.';

CREATE TABLE public.product_categories (
    product_id bigint NOT NULL,
    category_id bigint NOT NULL,
    display_order integer DEFAULT 0 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT pk_product_categories PRIMARY KEY (product_id, category_id),
    CONSTRAINT chk_product_categories_display_order CHECK (display_order >= 0)
);
COMMENT ON TABLE public.product_categories IS 'The categories a product is listed in.';
COMMENT ON COLUMN public.product_categories.display_order IS 'Order within the category.';

CREATE TABLE public.products (
    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    sku text NOT NULL,
    name text NOT NULL,
    description text,
    price numeric(12,2) NOT NULL,
    status text DEFAULT 'draft' NOT NULL,
    search_vector tsvector GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, coalesce(name, '') || ' ' || coalesce(description, ''))) STORED,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT pk_products PRIMARY KEY (id),
    CONSTRAINT uq_products_sku UNIQUE (sku),
    CONSTRAINT chk_products_name CHECK (char_length(name) >= 1 AND char_length(name) <= 200),
    CONSTRAINT chk_products_price CHECK (price >= 0),
    CONSTRAINT chk_products_sku CHECK (char_length(sku) >= 1 AND char_length(sku) <= 32),
    CONSTRAINT chk_products_status CHECK (status IN ('draft', 'active', 'discontinued'))
);
COMMENT ON TABLE public.products IS 'Something for sale.';
COMMENT ON COLUMN public.products.price IS 'Amount in EUR.';

CREATE INDEX idx_categories_parent_id ON public.categories (parent_id);

CREATE INDEX idx_order_items_product_id ON public.order_items (product_id);

CREATE INDEX idx_orders_customer_id_placed_at ON public.orders (customer_id, placed_at) INCLUDE (id, status, total);

CREATE INDEX idx_orders_placed_at ON public.orders (placed_at) INCLUDE (id, total);

CREATE INDEX idx_orders_placed_at_paid ON public.orders (placed_at) WHERE (status = 'paid');

CREATE INDEX idx_payments_order_id ON public.payments (order_id);

CREATE INDEX idx_product_categories_category_id ON public.product_categories (category_id);

CREATE INDEX idx_products_price_active ON public.products (price) WHERE (status = 'active');

CREATE INDEX idx_products_search_vector ON public.products USING gin (search_vector);

ALTER TABLE public.categories ADD CONSTRAINT fk_categories_parent_id FOREIGN KEY (parent_id) REFERENCES public.categories (id) ON DELETE RESTRICT;

ALTER TABLE public.inventory_levels ADD CONSTRAINT fk_inventory_levels_product_id FOREIGN KEY (product_id) REFERENCES public.products (id) ON DELETE CASCADE;

ALTER TABLE public.order_items ADD CONSTRAINT fk_order_items_order_id FOREIGN KEY (order_id) REFERENCES public.orders (id) ON DELETE CASCADE;

ALTER TABLE public.order_items ADD CONSTRAINT fk_order_items_product_id FOREIGN KEY (product_id) REFERENCES public.products (id) ON DELETE RESTRICT;

ALTER TABLE public.orders ADD CONSTRAINT fk_orders_customer_id FOREIGN KEY (customer_id) REFERENCES public.customers (id) ON DELETE RESTRICT;

ALTER TABLE public.payments ADD CONSTRAINT fk_payments_order_id FOREIGN KEY (order_id) REFERENCES public.orders (id) ON DELETE RESTRICT;

ALTER TABLE public.product_categories ADD CONSTRAINT fk_product_categories_category_id FOREIGN KEY (category_id) REFERENCES public.categories (id) ON DELETE CASCADE;

ALTER TABLE public.product_categories ADD CONSTRAINT fk_product_categories_product_id FOREIGN KEY (product_id) REFERENCES public.products (id) ON DELETE CASCADE;

CREATE TRIGGER trg_categories_set_updated_at BEFORE UPDATE ON public.categories FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

CREATE TRIGGER trg_customers_set_updated_at BEFORE UPDATE ON public.customers FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

CREATE TRIGGER trg_inventory_levels_set_updated_at BEFORE UPDATE ON public.inventory_levels FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

CREATE TRIGGER trg_order_items_set_updated_at BEFORE UPDATE ON public.order_items FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

CREATE TRIGGER trg_orders_set_updated_at BEFORE UPDATE ON public.orders FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

CREATE TRIGGER trg_payments_set_updated_at BEFORE UPDATE ON public.payments FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

CREATE TRIGGER trg_product_categories_set_updated_at BEFORE UPDATE ON public.product_categories FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

CREATE TRIGGER trg_products_set_updated_at BEFORE UPDATE ON public.products FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

CREATE TABLE cooks (
    id integer NOT NULL,
    username text NOT NULL,
    email text NOT NULL,
    display_name text NOT NULL,
    phone text,
    created_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT pk_cooks PRIMARY KEY (id),
    CONSTRAINT uq_cooks_email UNIQUE (email),
    CONSTRAINT uq_cooks_username UNIQUE (username),
    CONSTRAINT chk_cooks_display_name CHECK (length(display_name) >= 1 AND length(display_name) <= 80),
    CONSTRAINT chk_cooks_email CHECK (length(email) <= 254 AND email LIKE '%_@_%._%' AND email = lower(email)),
    CONSTRAINT chk_cooks_phone CHECK (phone GLOB '+[1-9]*'),
    CONSTRAINT chk_cooks_username CHECK (length(username) >= 1 AND length(username) <= 30)
);

CREATE TABLE ingredients (
    id integer NOT NULL,
    name text NOT NULL,
    aisle text NOT NULL,
    created_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT pk_ingredients PRIMARY KEY (id),
    CONSTRAINT uq_ingredients_name UNIQUE (name),
    CONSTRAINT chk_ingredients_aisle CHECK (aisle IN ('produce', 'dairy', 'meat', 'fish', 'bakery', 'pantry', 'spices', 'frozen', 'drinks')),
    CONSTRAINT chk_ingredients_name CHECK (length(name) >= 1 AND length(name) <= 80)
);

CREATE TABLE recipes (
    id integer NOT NULL,
    cook_id integer NOT NULL,
    title text NOT NULL,
    summary text NOT NULL,
    cuisine text NOT NULL,
    minutes integer NOT NULL,
    published_at text NOT NULL,
    created_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT pk_recipes PRIMARY KEY (id),
    CONSTRAINT chk_recipes_cuisine CHECK (cuisine IN ('italian', 'french', 'indian', 'chinese', 'mexican', 'japanese', 'other')),
    CONSTRAINT chk_recipes_minutes CHECK (minutes >= 1 AND minutes <= 2880),
    CONSTRAINT chk_recipes_summary CHECK (length(summary) >= 1 AND length(summary) <= 500),
    CONSTRAINT chk_recipes_title CHECK (length(title) >= 1 AND length(title) <= 160),
    CONSTRAINT fk_recipes_cook_id FOREIGN KEY (cook_id) REFERENCES cooks (id) ON DELETE RESTRICT
);

CREATE TABLE recipe_ingredients (
    recipe_id integer NOT NULL,
    ingredient_id integer NOT NULL,
    quantity numeric(8,2) NOT NULL,
    unit text NOT NULL,
    created_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT pk_recipe_ingredients PRIMARY KEY (recipe_id, ingredient_id),
    CONSTRAINT chk_recipe_ingredients_quantity CHECK (quantity >= 0),
    CONSTRAINT chk_recipe_ingredients_unit CHECK (unit IN ('g', 'kg', 'ml', 'l', 'tsp', 'tbsp', 'cup', 'piece')),
    CONSTRAINT fk_recipe_ingredients_ingredient_id FOREIGN KEY (ingredient_id) REFERENCES ingredients (id) ON DELETE CASCADE,
    CONSTRAINT fk_recipe_ingredients_recipe_id FOREIGN KEY (recipe_id) REFERENCES recipes (id) ON DELETE CASCADE
);

CREATE TABLE reviews (
    id integer NOT NULL,
    recipe_id integer NOT NULL,
    reviewer_id integer NOT NULL,
    rating integer NOT NULL,
    body text,
    posted_at text NOT NULL,
    created_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT pk_reviews PRIMARY KEY (id),
    CONSTRAINT chk_reviews_body CHECK (length(body) <= 2000),
    CONSTRAINT chk_reviews_rating CHECK (rating >= 1 AND rating <= 5),
    CONSTRAINT fk_reviews_recipe_id FOREIGN KEY (recipe_id) REFERENCES recipes (id) ON DELETE CASCADE,
    CONSTRAINT fk_reviews_reviewer_id FOREIGN KEY (reviewer_id) REFERENCES cooks (id) ON DELETE CASCADE
);

CREATE VIRTUAL TABLE recipes_fts USING fts5(title, summary, content='recipes', content_rowid='id');

CREATE INDEX idx_cooks_phone ON cooks (phone);

CREATE INDEX idx_recipes_cook_id_published_at ON recipes (cook_id, published_at);

CREATE INDEX idx_recipe_ingredients_ingredient_id_recipe_id ON recipe_ingredients (ingredient_id, recipe_id);

CREATE INDEX idx_reviews_recipe_id_posted_at ON reviews (recipe_id, posted_at);

CREATE INDEX idx_reviews_reviewer_id ON reviews (reviewer_id);

CREATE TRIGGER trg_cooks_set_updated_at AFTER UPDATE ON cooks
FOR EACH ROW
WHEN NEW.updated_at IS OLD.updated_at
BEGIN
    UPDATE cooks SET updated_at = CURRENT_TIMESTAMP WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER trg_ingredients_set_updated_at AFTER UPDATE ON ingredients
FOR EACH ROW
WHEN NEW.updated_at IS OLD.updated_at
BEGIN
    UPDATE ingredients SET updated_at = CURRENT_TIMESTAMP WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER trg_recipe_ingredients_set_updated_at AFTER UPDATE ON recipe_ingredients
FOR EACH ROW
WHEN NEW.updated_at IS OLD.updated_at
BEGIN
    UPDATE recipe_ingredients SET updated_at = CURRENT_TIMESTAMP WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER trg_recipes_fts_delete AFTER DELETE ON recipes
FOR EACH ROW
BEGIN
    INSERT INTO recipes_fts(recipes_fts, rowid, title, summary) VALUES ('delete', OLD.id, OLD.title, OLD.summary);
END;

CREATE TRIGGER trg_recipes_fts_insert AFTER INSERT ON recipes
FOR EACH ROW
BEGIN
    INSERT INTO recipes_fts(rowid, title, summary) VALUES (NEW.id, NEW.title, NEW.summary);
END;

CREATE TRIGGER trg_recipes_fts_update AFTER UPDATE OF id, title, summary ON recipes
FOR EACH ROW
BEGIN
    INSERT INTO recipes_fts(recipes_fts, rowid, title, summary) VALUES ('delete', OLD.id, OLD.title, OLD.summary);
    INSERT INTO recipes_fts(rowid, title, summary) VALUES (NEW.id, NEW.title, NEW.summary);
END;

CREATE TRIGGER trg_recipes_set_updated_at AFTER UPDATE ON recipes
FOR EACH ROW
WHEN NEW.updated_at IS OLD.updated_at
BEGIN
    UPDATE recipes SET updated_at = CURRENT_TIMESTAMP WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER trg_reviews_set_updated_at AFTER UPDATE ON reviews
FOR EACH ROW
WHEN NEW.updated_at IS OLD.updated_at
BEGIN
    UPDATE reviews SET updated_at = CURRENT_TIMESTAMP WHERE rowid = NEW.rowid;
END;

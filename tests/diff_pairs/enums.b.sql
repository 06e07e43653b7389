CREATE SCHEMA app;
CREATE TYPE app.colour AS ENUM ('red', 'green', 'it''s blue');
CREATE TYPE "Only B" AS ENUM ('a b', 'C');
COMMENT ON TYPE "Only B" IS 'new enum';

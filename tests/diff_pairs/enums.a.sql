-- enums created and dropped, one in another schema, labels that need quoting
CREATE SCHEMA app;
CREATE TYPE only_a AS ENUM ('x', 'y');
CREATE TYPE app.colour AS ENUM ('red', 'green');

-- composite types: attributes added, dropped, retyped; types created and dropped
CREATE TYPE address AS (street text, zip char(5), gone integer);
CREATE TYPE old_t AS (a integer);

-- exclusion constraints (GiST on ranges and boxes, no extension needed): added, dropped,
-- predicate and deferrability changed
CREATE TABLE booking (room integer, during tstzrange, CONSTRAINT no_overlap EXCLUDE USING gist (during WITH &&));
CREATE TABLE shapes (b box, c circle, CONSTRAINT shapes_c_excl EXCLUDE USING gist (c WITH &&));

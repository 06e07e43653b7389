CREATE TABLE booking (
    room integer,
    during tstzrange,
    CONSTRAINT no_overlap EXCLUDE USING gist (during WITH &&) WHERE (room > 0) DEFERRABLE
);
CREATE TABLE shapes (b box, c circle, CONSTRAINT shapes_b_excl EXCLUDE USING gist (b WITH &&));
COMMENT ON CONSTRAINT shapes_b_excl ON shapes IS 'no overlapping boxes';

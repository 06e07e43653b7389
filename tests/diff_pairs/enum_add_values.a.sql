-- an enum gaining values (ADD VALUE, BEFORE/AFTER) whose new value becomes a column default;
-- reversed: an enum in use losing values
CREATE TYPE mood AS ENUM ('sad', 'happy');
CREATE TABLE person (name text, current_mood mood DEFAULT 'sad');

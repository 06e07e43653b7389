CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy', 'ecstatic');
CREATE TABLE person (name text, current_mood mood DEFAULT 'ok');

CREATE TABLE players (
    id integer NOT NULL,
    handle text NOT NULL,
    created_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT pk_players PRIMARY KEY (id),
    CONSTRAINT uq_players_handle UNIQUE (handle),
    CONSTRAINT chk_players_handle CHECK (length(handle) >= 1 AND length(handle) <= 32)
);

CREATE TABLE boards (
    id integer NOT NULL,
    title text NOT NULL,
    created_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT pk_boards PRIMARY KEY (id),
    CONSTRAINT chk_boards_title CHECK (length(title) >= 1 AND length(title) <= 60)
);

CREATE TABLE api_calls (
    id integer NOT NULL,
    player_id integer NOT NULL,
    at text NOT NULL,
    created_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT pk_api_calls PRIMARY KEY (id),
    CONSTRAINT fk_api_calls_player_id FOREIGN KEY (player_id) REFERENCES players (id) ON DELETE RESTRICT
);

CREATE TABLE sessions (
    id integer NOT NULL,
    player_id integer NOT NULL,
    token_hash text NOT NULL,
    ip text,
    user_agent text,
    data text,
    last_seen_at text NOT NULL,
    created_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT pk_sessions PRIMARY KEY (id),
    CONSTRAINT uq_sessions_token_hash UNIQUE (token_hash),
    CONSTRAINT chk_sessions_token_hash CHECK (length(token_hash) >= 1 AND length(token_hash) <= 64),
    CONSTRAINT chk_sessions_user_agent CHECK (length(user_agent) <= 200),
    CONSTRAINT fk_sessions_player_id FOREIGN KEY (player_id) REFERENCES players (id) ON DELETE RESTRICT
);

CREATE TABLE scores (
    id integer NOT NULL,
    board_id integer NOT NULL,
    player_id integer NOT NULL,
    points integer NOT NULL,
    achieved_at text NOT NULL,
    created_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT pk_scores PRIMARY KEY (id),
    CONSTRAINT uq_scores_board_id_player_id UNIQUE (board_id, player_id),
    CONSTRAINT chk_scores_points CHECK (points >= 0),
    CONSTRAINT fk_scores_board_id FOREIGN KEY (board_id) REFERENCES boards (id) ON DELETE RESTRICT,
    CONSTRAINT fk_scores_player_id FOREIGN KEY (player_id) REFERENCES players (id) ON DELETE RESTRICT
);

CREATE INDEX idx_api_calls_player_id_at ON api_calls (player_id, at);

CREATE INDEX idx_sessions_player_id ON sessions (player_id);

CREATE INDEX idx_scores_board_id_points ON scores (board_id, points);

CREATE INDEX idx_scores_player_id ON scores (player_id);

CREATE TRIGGER trg_boards_set_updated_at AFTER UPDATE ON boards
FOR EACH ROW
WHEN NEW.updated_at IS OLD.updated_at
BEGIN
    UPDATE boards SET updated_at = CURRENT_TIMESTAMP WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER trg_players_set_updated_at AFTER UPDATE ON players
FOR EACH ROW
WHEN NEW.updated_at IS OLD.updated_at
BEGIN
    UPDATE players SET updated_at = CURRENT_TIMESTAMP WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER trg_scores_set_updated_at AFTER UPDATE ON scores
FOR EACH ROW
WHEN NEW.updated_at IS OLD.updated_at
BEGIN
    UPDATE scores SET updated_at = CURRENT_TIMESTAMP WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER trg_sessions_set_updated_at AFTER UPDATE ON sessions
FOR EACH ROW
WHEN NEW.updated_at IS OLD.updated_at
BEGIN
    UPDATE sessions SET updated_at = CURRENT_TIMESTAMP WHERE rowid = NEW.rowid;
END;

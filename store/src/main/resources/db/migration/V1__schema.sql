-- The first schema. Written in the SQL both SQLite and PostgreSQL accept, so one set of
-- migrations serves both dialects. Instants are epoch milliseconds (BIGINT); enums are their
-- lower-case wire names; maps, lists and configs are JSON text.

-- The global index: one row, bumped in the same transaction as every write that changes data.
CREATE TABLE global_index (
    id            INTEGER PRIMARY KEY,
    current_value BIGINT  NOT NULL
);
INSERT INTO global_index (id, current_value) VALUES (1, 1);

CREATE TABLE apps (
    name            TEXT    PRIMARY KEY,
    primary_region  TEXT    NOT NULL,
    scale_json      TEXT    NOT NULL,
    current_release INTEGER,
    -- the last release version handed out: versions are never reused, even after failed deploys
    release_seq     INTEGER NOT NULL,
    created_at      BIGINT  NOT NULL
);

CREATE TABLE releases (
    app             TEXT    NOT NULL REFERENCES apps (name) ON DELETE CASCADE,
    version         INTEGER NOT NULL,
    artifact_digest TEXT    NOT NULL,
    config_json     TEXT    NOT NULL,
    status          TEXT    NOT NULL,
    message         TEXT,
    failure_json    TEXT,
    created_at      BIGINT  NOT NULL,
    deadline        BIGINT,
    PRIMARY KEY (app, version)
);

CREATE TABLE hosts (
    id        TEXT   PRIMARY KEY,
    region    TEXT   NOT NULL,
    address   TEXT   NOT NULL,
    memory_mb BIGINT NOT NULL,
    last_seen BIGINT
);

-- No foreign key to apps: an instance outlives its app's row until its agent has destroyed it.
CREATE TABLE instances (
    id              TEXT    PRIMARY KEY,
    app             TEXT    NOT NULL,
    release_version INTEGER NOT NULL,
    region          TEXT    NOT NULL,
    host_id         TEXT,
    address         TEXT,
    port            INTEGER,
    state           TEXT    NOT NULL,
    desired         TEXT    NOT NULL,
    health          TEXT    NOT NULL,
    exit_code       INTEGER,
    message         TEXT,
    restarts        INTEGER NOT NULL,
    log_tail_json   TEXT    NOT NULL,
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL
);
CREATE INDEX instances_app ON instances (app);
CREATE INDEX instances_host ON instances (host_id);

CREATE TABLE tokens (
    id         TEXT    PRIMARY KEY,
    name       TEXT    NOT NULL,
    hash       TEXT    NOT NULL UNIQUE,
    admin      BOOLEAN NOT NULL,
    created_at BIGINT  NOT NULL
);

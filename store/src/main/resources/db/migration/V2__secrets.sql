-- Secrets and what each release runs beyond its artifact and config.
--
-- A change of secrets writes a whole new version of the app's set, so a release keeps running the
-- exact secrets it was made with while newer versions exist (rollback, restarts of old instances).
-- Values are sealed by the server (AES-GCM, base64 of nonce || ciphertext || tag): never plain text.

-- One row per secrets version, also for a version whose set is empty (after the last unset).
CREATE TABLE secret_versions (
    app        TEXT    NOT NULL REFERENCES apps (name) ON DELETE CASCADE,
    version    INTEGER NOT NULL,
    created_at BIGINT  NOT NULL,
    PRIMARY KEY (app, version)
);

CREATE TABLE secrets (
    app        TEXT    NOT NULL,
    version    INTEGER NOT NULL,
    name       TEXT    NOT NULL,
    sealed     TEXT    NOT NULL,
    -- when this value was set: carried over unchanged into later versions
    updated_at BIGINT  NOT NULL,
    PRIMARY KEY (app, version, name),
    FOREIGN KEY (app, version) REFERENCES secret_versions (app, version) ON DELETE CASCADE
);

-- The secrets version a release runs (0: none) and why the release was made ("rollback to v3").
-- A release without a row runs the secrets version that was newest when it was created.
CREATE TABLE release_origins (
    app             TEXT    NOT NULL,
    version         INTEGER NOT NULL,
    secrets_version INTEGER NOT NULL,
    note            TEXT,
    PRIMARY KEY (app, version),
    FOREIGN KEY (app, version) REFERENCES releases (app, version) ON DELETE CASCADE
);

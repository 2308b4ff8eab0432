-- Edge proxies, as they register and heartbeat (PUT /v1/edges/{id}), with the round trips each
-- last measured to the other regions (JSON: region code -> {millis, reachable}). A change of
-- region or probe address bumps the global index (peers must learn it); a heartbeat that only
-- brings new measurements does not, or every edge would wake every blocking query every 10 s.
CREATE TABLE edges (
    id            TEXT   PRIMARY KEY,
    region        TEXT   NOT NULL,
    probe_address TEXT   NOT NULL,
    rtt           TEXT   NOT NULL,
    last_seen     BIGINT NOT NULL
);

-- Central logs: every line of every instance's output, kept for the server's retention (default 7
-- days). id is the arrival order and the cursor of GET /v1/apps/{app}/logs; time is when the agent
-- read the line (epoch milliseconds). origin (STREAM:OFFSET in the agent's file) makes a batch the
-- agent sends twice land once; marker lines the agent writes itself have none (NULLs never clash).
CREATE TABLE logs (
    id          BIGINT  PRIMARY KEY,
    app         TEXT    NOT NULL,
    instance_id TEXT    NOT NULL,
    region      TEXT    NOT NULL,
    time        BIGINT  NOT NULL,
    line        TEXT    NOT NULL,
    origin      TEXT
);
CREATE INDEX logs_app_id ON logs (app, id);
CREATE INDEX logs_app_time ON logs (app, time);
CREATE INDEX logs_time ON logs (time);
CREATE UNIQUE INDEX logs_origin ON logs (instance_id, origin);

-- The last log id handed out. A counter row rather than an identity column: one syntax for both
-- dialects, and ids never go back, also when retention has emptied the table (a follower's cursor
-- stays valid).
CREATE TABLE log_seq (
    id      INTEGER PRIMARY KEY,
    last_id BIGINT  NOT NULL
);
INSERT INTO log_seq (id, last_id) VALUES (1, 0);

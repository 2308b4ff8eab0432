-- Events, the meter, monthly budgets and webhooks (issue 6, items 4-5).

-- What happened to an app, for outpost events and webhooks. Ids are handed out under the store's
-- write lock (MAX + 1), so they grow in commit order and "since id" never skips one.
CREATE TABLE events (
    id        BIGINT PRIMARY KEY,
    at        BIGINT NOT NULL,
    app       TEXT   NOT NULL,
    kind      TEXT   NOT NULL,
    message   TEXT   NOT NULL,
    data_json TEXT   NOT NULL
);
CREATE INDEX events_app ON events (app, id);

-- Run intervals of instances, written in the same transaction as the instance report that started
-- or stopped it: a crash loses no interval and counts none twice. An open interval (stopped_at
-- NULL) runs until now. vm_size is the size of the instance's release when it started.
CREATE TABLE usage_intervals (
    instance_id TEXT   NOT NULL,
    app         TEXT   NOT NULL,
    vm_size     TEXT   NOT NULL,
    started_at  BIGINT NOT NULL,
    stopped_at  BIGINT,
    PRIMARY KEY (instance_id, started_at)
);
CREATE INDEX usage_intervals_app ON usage_intervals (app, started_at);

-- An app's monthly budget (USD), the highest threshold already announced in alert_month
-- (yyyy-MM, UTC), and while suspended: why, until when, and the desired state of each instance
-- before (JSON: instance id -> running|stopped), restored as it was.
CREATE TABLE budgets (
    app            TEXT    PRIMARY KEY,
    monthly_usd    DOUBLE PRECISION NOT NULL,
    alert_month    TEXT,
    alerted        INTEGER NOT NULL,
    suspended      TEXT,
    suspended_json TEXT,
    resumes_at     BIGINT
);

-- Webhook subscriptions; the secret signs every body (HMAC-SHA256), so it is kept, not hashed.
CREATE TABLE webhooks (
    id          TEXT   PRIMARY KEY,
    url         TEXT   NOT NULL,
    events_json TEXT   NOT NULL,
    secret      TEXT   NOT NULL,
    created_at  BIGINT NOT NULL
);

-- One delivery of one event to one webhook, with its attempts: durable, so a restarted server
-- resumes the retries where they were. status: pending, delivered, failed (gave up).
CREATE TABLE webhook_deliveries (
    id           BIGINT  PRIMARY KEY,
    webhook_id   TEXT    NOT NULL,
    event_id     BIGINT  NOT NULL,
    body         TEXT    NOT NULL,
    status       TEXT    NOT NULL,
    attempts     INTEGER NOT NULL,
    next_attempt BIGINT  NOT NULL,
    last_code    INTEGER,
    last_error   TEXT,
    updated_at   BIGINT  NOT NULL
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt);

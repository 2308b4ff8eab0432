-- Dedicated addresses of apps with a port outside the shared HTTP/HTTPS listeners (raw TCP, tls,
-- proxy_proto): an offset into every edge's block for dedicated addresses (in dev 127.i.2.0, so
-- offset 5 is 127.i.2.5 in each region). Handed out smallest free first, kept for the app's life,
-- freed when the app is destroyed. The UNIQUE constraint keeps two apps off one address even if two
-- servers allocate at once.
CREATE TABLE app_addresses (
    app        TEXT    PRIMARY KEY,
    offset_no  INTEGER NOT NULL UNIQUE,
    created_at BIGINT  NOT NULL
);

-- The /24 each edge serves apps' dedicated addresses from (e.g. 127.1.2.0), as it reports it with its
-- heartbeat; NULL when it serves none. `outpost ips` builds an app's addresses from the live edges.
ALTER TABLE edges ADD COLUMN dedicated_block TEXT;

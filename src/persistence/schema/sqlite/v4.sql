-- Zaman SQLite schema, version 4: "failed runs closed since …, newest
-- first", the web UI's most common filter, walks one index in order.
CREATE INDEX visibility_status_close ON visibility (namespace_id, status, sort_close, run_id);

-- Zaman SQLite schema, version 6: the cluster's host registry. Each host
-- rewrites its own row every few seconds; a host is live while
-- `expires_at_ms` is in the future.
CREATE TABLE cluster_membership (
  role              TEXT    NOT NULL,
  host_id           TEXT    NOT NULL,
  rpc_address       TEXT    NOT NULL,
  session_start_ms  INTEGER NOT NULL,
  last_heartbeat_ms INTEGER NOT NULL,
  expires_at_ms     INTEGER NOT NULL,
  PRIMARY KEY (role, host_id)
);
CREATE INDEX cluster_membership_expiry ON cluster_membership (expires_at_ms);

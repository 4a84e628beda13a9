-- Zaman PostgreSQL schema, version 3: the cluster's host registry. Each
-- host rewrites its own row every few seconds; a host is live while
-- `expires_at_ms` is in the future.
CREATE TABLE cluster_membership (
  role              TEXT COLLATE "C" NOT NULL,
  host_id           TEXT COLLATE "C" NOT NULL,
  rpc_address       TEXT COLLATE "C" NOT NULL,
  session_start_ms  BIGINT NOT NULL,
  last_heartbeat_ms BIGINT NOT NULL,
  expires_at_ms     BIGINT NOT NULL,
  PRIMARY KEY (role, host_id)
);
CREATE INDEX cluster_membership_expiry ON cluster_membership (expires_at_ms);

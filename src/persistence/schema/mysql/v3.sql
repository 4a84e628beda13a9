-- Zaman MySQL/MariaDB schema, version 3: the cluster's host registry. Each
-- host rewrites its own row every few seconds; a host is live while
-- `expires_at_ms` is in the future.
CREATE TABLE cluster_membership (
  role              VARCHAR(32)  NOT NULL,
  host_id           VARCHAR(128) NOT NULL,
  rpc_address       VARCHAR(255) NOT NULL,
  session_start_ms  BIGINT NOT NULL,
  last_heartbeat_ms BIGINT NOT NULL,
  expires_at_ms     BIGINT NOT NULL,
  PRIMARY KEY (role, host_id),
  KEY cluster_membership_expiry (expires_at_ms)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

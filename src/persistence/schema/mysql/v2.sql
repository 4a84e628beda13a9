-- Zaman MySQL/MariaDB schema, version 2: the worker role's durable jobs
-- (schedules, batch operations). `state` is the owner's serialized state;
-- `wake_at_ms` (NULL: nothing to do) is when it must next look at the job.
-- Job ids are at most 600 characters here (InnoDB keys are limited to 3072 bytes).
CREATE TABLE jobs (
  namespace_id VARCHAR(64)  NOT NULL,
  kind         VARCHAR(16)  NOT NULL,
  job_id       VARCHAR(600) NOT NULL,
  version      BIGINT   NOT NULL,
  state        LONGBLOB NOT NULL,
  wake_at_ms   BIGINT,
  PRIMARY KEY (namespace_id, kind, job_id),
  KEY jobs_due (kind, wake_at_ms)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

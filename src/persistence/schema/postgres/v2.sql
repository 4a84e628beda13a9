-- Zaman PostgreSQL schema, version 2: the worker role's durable jobs
-- (schedules, batch operations). `state` is the owner's serialized state;
-- `wake_at_ms` (NULL: nothing to do) is when it must next look at the job.
CREATE TABLE jobs (
  namespace_id TEXT COLLATE "C" NOT NULL,
  kind         TEXT COLLATE "C" NOT NULL,
  job_id       TEXT COLLATE "C" NOT NULL,
  version      BIGINT NOT NULL,
  state        BYTEA  NOT NULL,
  wake_at_ms   BIGINT,
  PRIMARY KEY (namespace_id, kind, job_id)
);
CREATE INDEX jobs_due ON jobs (kind, wake_at_ms);

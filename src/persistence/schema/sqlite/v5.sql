-- Zaman SQLite schema, version 5: the worker role's durable jobs (schedules,
-- batch operations). `state` is the owner's serialized state; `wake_at_ms`
-- (NULL: nothing to do) is when it must next look at the job.
CREATE TABLE jobs (
  namespace_id TEXT    NOT NULL,
  kind         TEXT    NOT NULL,
  job_id       TEXT    NOT NULL,
  version      INTEGER NOT NULL,
  state        BLOB    NOT NULL,
  wake_at_ms   INTEGER,
  PRIMARY KEY (namespace_id, kind, job_id)
);
CREATE INDEX jobs_due ON jobs (kind, wake_at_ms);

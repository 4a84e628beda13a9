-- Zaman PostgreSQL schema, version 1. Applied by `zaman db setup`; text
-- columns compare byte by byte (COLLATE "C"), as SQLite does, so ids and
-- keyset page tokens order the same on every backend.
CREATE TABLE schema_version (
  version INTEGER NOT NULL
);

-- One row: facts fixed when the cluster's store was created.
CREATE TABLE cluster_metadata (
  id            INTEGER PRIMARY KEY CHECK (id = 1),
  cluster_name  TEXT    COLLATE "C" NOT NULL,
  cluster_id    TEXT    COLLATE "C" NOT NULL,
  num_shards    INTEGER NOT NULL,
  created_at_ms BIGINT  NOT NULL
);

-- `record` is a serialized zaman.persistence.v1.NamespaceRecord.
CREATE TABLE namespaces (
  id      TEXT COLLATE "C" PRIMARY KEY,
  name    TEXT COLLATE "C" NOT NULL UNIQUE,
  version BIGINT NOT NULL,
  record  BYTEA  NOT NULL
);

-- One row a history shard. Every write of a shard runs in a transaction that
-- holds this row FOR SHARE and checks range_id (fencing); the owner bumps it
-- when it takes the shard.
CREATE TABLE shards (
  shard_id INTEGER PRIMARY KEY,
  range_id BIGINT  NOT NULL
);

-- `state` is a serialized zaman.persistence.v1.MutableState.
CREATE TABLE executions (
  namespace_id TEXT    COLLATE "C" NOT NULL,
  workflow_id  TEXT    COLLATE "C" NOT NULL,
  run_id       TEXT    COLLATE "C" NOT NULL,
  shard_id     INTEGER NOT NULL,
  db_version   BIGINT  NOT NULL,
  state        BYTEA   NOT NULL,
  PRIMARY KEY (namespace_id, workflow_id, run_id)
);

-- The newest run of each workflow id.
CREATE TABLE current_executions (
  namespace_id TEXT COLLATE "C" NOT NULL,
  workflow_id  TEXT COLLATE "C" NOT NULL,
  run_id       TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (namespace_id, workflow_id)
);

-- `event` is a serialized temporal.api.history.v1.HistoryEvent. Rows are
-- only ever inserted.
CREATE TABLE history_events (
  namespace_id TEXT   COLLATE "C" NOT NULL,
  workflow_id  TEXT   COLLATE "C" NOT NULL,
  run_id       TEXT   COLLATE "C" NOT NULL,
  event_id     BIGINT NOT NULL,
  event        BYTEA  NOT NULL,
  PRIMARY KEY (namespace_id, workflow_id, run_id, event_id)
);

-- The outbox: zaman.persistence.v1.TransferTask rows, deleted once done.
CREATE TABLE transfer_tasks (
  shard_id INTEGER NOT NULL,
  task_id  BIGINT  NOT NULL,
  task     BYTEA   NOT NULL,
  PRIMARY KEY (shard_id, task_id)
);

-- Durable timers: zaman.persistence.v1.TimerTask rows, deleted once fired.
CREATE TABLE timer_tasks (
  shard_id     INTEGER NOT NULL,
  task_id      BIGINT  NOT NULL,
  fire_time_ms BIGINT  NOT NULL,
  task         BYTEA   NOT NULL,
  PRIMARY KEY (shard_id, task_id)
);
CREATE INDEX timer_tasks_by_time ON timer_tasks (shard_id, fire_time_ms, task_id);

-- Visibility: one row a run (what List/Count filters read). Times are Unix
-- nanoseconds; `sort_close` is close_time, or the largest bigint while the
-- run is open, so the default order (open first, then the most recently
-- closed) needs no NULL handling. `info` is a serialized
-- temporal.api.workflow.v1.WorkflowExecutionInfo.
CREATE TABLE visibility (
  namespace_id       TEXT   COLLATE "C" NOT NULL,
  run_id             TEXT   COLLATE "C" NOT NULL,
  workflow_id        TEXT   COLLATE "C" NOT NULL,
  workflow_type      TEXT   COLLATE "C" NOT NULL,
  task_queue         TEXT   COLLATE "C" NOT NULL,
  status             INTEGER NOT NULL,
  start_time         BIGINT NOT NULL,
  execution_time     BIGINT NOT NULL,
  close_time         BIGINT,
  sort_close         BIGINT NOT NULL,
  execution_duration BIGINT,
  history_length     BIGINT NOT NULL,
  history_size_bytes BIGINT NOT NULL,
  parent_workflow_id TEXT   COLLATE "C",
  parent_run_id      TEXT   COLLATE "C",
  root_workflow_id   TEXT   COLLATE "C",
  root_run_id        TEXT   COLLATE "C",
  version            BIGINT NOT NULL,
  info               BYTEA  NOT NULL,
  PRIMARY KEY (namespace_id, run_id)
);
CREATE INDEX visibility_default_order ON visibility (namespace_id, sort_close DESC, start_time DESC, run_id DESC);
CREATE INDEX visibility_type_status ON visibility (namespace_id, workflow_type, status, start_time);
CREATE INDEX visibility_status ON visibility (namespace_id, status, start_time);
-- "Failed, closed since …, newest first" (ORDER BY CloseTime) walks this one.
CREATE INDEX visibility_status_close ON visibility (namespace_id, status, sort_close, run_id);
-- A status filter in the default order (open first, then newest closed) walks
-- this one in order: "Running", "Failed", the web UI's usual lists.
CREATE INDEX visibility_status_default_order ON visibility (namespace_id, status, sort_close DESC, start_time DESC, run_id DESC);
CREATE INDEX visibility_workflow_id ON visibility (namespace_id, workflow_id);
CREATE INDEX visibility_start_time ON visibility (namespace_id, start_time);
CREATE INDEX visibility_close_time ON visibility (namespace_id, close_time);

-- Custom (and predefined) search attribute values, one row a value (a
-- KeywordList has several), in the column of the value's kind: integers
-- (Int, Bool, Datetime), doubles, strings (Keyword, Text).
CREATE TABLE visibility_search_attributes (
  namespace_id TEXT   COLLATE "C" NOT NULL,
  run_id       TEXT   COLLATE "C" NOT NULL,
  name         TEXT   COLLATE "C" NOT NULL,
  int_value    BIGINT,
  double_value DOUBLE PRECISION,
  string_value TEXT   COLLATE "C"
);
CREATE INDEX visibility_sa_int ON visibility_search_attributes (namespace_id, name, int_value, run_id);
CREATE INDEX visibility_sa_double ON visibility_search_attributes (namespace_id, name, double_value, run_id);
CREATE INDEX visibility_sa_string ON visibility_search_attributes (namespace_id, name, string_value, run_id);
CREATE INDEX visibility_sa_run ON visibility_search_attributes (namespace_id, run_id);

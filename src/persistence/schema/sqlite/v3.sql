-- Zaman SQLite schema, version 3: visibility (what List/Count filters read).

-- One row a run. Times are Unix nanoseconds. `sort_close` is close_time,
-- or the largest integer while the run is open, so the default order
-- (open runs first, then the most recently closed) needs no NULL handling.
-- `info` is a serialized temporal.api.workflow.v1.WorkflowExecutionInfo.
CREATE TABLE visibility (
  namespace_id       TEXT    NOT NULL,
  run_id             TEXT    NOT NULL,
  workflow_id        TEXT    NOT NULL,
  workflow_type      TEXT    NOT NULL,
  task_queue         TEXT    NOT NULL,
  status             INTEGER NOT NULL,
  start_time         INTEGER NOT NULL,
  execution_time     INTEGER NOT NULL,
  close_time         INTEGER,
  sort_close         INTEGER NOT NULL,
  execution_duration INTEGER,
  history_length     INTEGER NOT NULL,
  history_size_bytes INTEGER NOT NULL,
  parent_workflow_id TEXT,
  parent_run_id      TEXT,
  root_workflow_id   TEXT,
  root_run_id        TEXT,
  version            INTEGER NOT NULL,
  info               BLOB    NOT NULL
);
CREATE UNIQUE INDEX visibility_run ON visibility (namespace_id, run_id);
CREATE INDEX visibility_default_order ON visibility (namespace_id, sort_close DESC, start_time DESC, run_id DESC);
CREATE INDEX visibility_type_status ON visibility (namespace_id, workflow_type, status, start_time);
CREATE INDEX visibility_status ON visibility (namespace_id, status, start_time);
CREATE INDEX visibility_workflow_id ON visibility (namespace_id, workflow_id);
CREATE INDEX visibility_start_time ON visibility (namespace_id, start_time);
CREATE INDEX visibility_close_time ON visibility (namespace_id, close_time);

-- Custom (and predefined) search attribute values, one row a value (a
-- KeywordList has several). `value` has no declared type: integers
-- (Int, Bool, Datetime), reals (Double) and text (Keyword, Text) compare
-- as themselves.
CREATE TABLE visibility_search_attributes (
  namespace_id TEXT NOT NULL,
  run_id       TEXT NOT NULL,
  name         TEXT NOT NULL,
  value
);
CREATE INDEX visibility_search_attributes_value ON visibility_search_attributes (namespace_id, name, value, run_id);
CREATE INDEX visibility_search_attributes_run ON visibility_search_attributes (namespace_id, run_id);

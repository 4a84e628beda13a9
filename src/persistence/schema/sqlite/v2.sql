-- Zaman SQLite schema, version 2: workflow executions and their tasks.

-- One row a history shard. Every write of a shard is conditional on its
-- range_id (fencing): the owner bumps it when it takes the shard.
CREATE TABLE shards (
  shard_id INTEGER PRIMARY KEY,
  range_id INTEGER NOT NULL
);

-- `state` is a serialized zaman.persistence.v1.MutableState.
CREATE TABLE executions (
  namespace_id TEXT    NOT NULL,
  workflow_id  TEXT    NOT NULL,
  run_id       TEXT    NOT NULL,
  shard_id     INTEGER NOT NULL,
  db_version   INTEGER NOT NULL,
  state        BLOB    NOT NULL,
  PRIMARY KEY (namespace_id, workflow_id, run_id)
) WITHOUT ROWID;

-- The newest run of each workflow id.
CREATE TABLE current_executions (
  namespace_id TEXT NOT NULL,
  workflow_id  TEXT NOT NULL,
  run_id       TEXT NOT NULL,
  PRIMARY KEY (namespace_id, workflow_id)
) WITHOUT ROWID;

-- `event` is a serialized temporal.api.history.v1.HistoryEvent. Rows are
-- only ever inserted.
CREATE TABLE history_events (
  namespace_id TEXT    NOT NULL,
  workflow_id  TEXT    NOT NULL,
  run_id       TEXT    NOT NULL,
  event_id     INTEGER NOT NULL,
  event        BLOB    NOT NULL,
  PRIMARY KEY (namespace_id, workflow_id, run_id, event_id)
) WITHOUT ROWID;

-- The outbox: zaman.persistence.v1.TransferTask rows, deleted once done.
CREATE TABLE transfer_tasks (
  shard_id INTEGER NOT NULL,
  task_id  INTEGER NOT NULL,
  task     BLOB    NOT NULL,
  PRIMARY KEY (shard_id, task_id)
) WITHOUT ROWID;

-- Durable timers: zaman.persistence.v1.TimerTask rows, deleted once fired.
CREATE TABLE timer_tasks (
  shard_id     INTEGER NOT NULL,
  task_id      INTEGER NOT NULL,
  fire_time_ms INTEGER NOT NULL,
  task         BLOB    NOT NULL,
  PRIMARY KEY (shard_id, task_id)
) WITHOUT ROWID;
CREATE INDEX timer_tasks_by_time ON timer_tasks (shard_id, fire_time_ms);

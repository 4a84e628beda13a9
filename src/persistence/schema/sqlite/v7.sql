-- Zaman SQLite schema, version 7: matching's durable backlog. One row per
-- task-queue partition (kind: 1 workflow, 2 activity) with the range id that
-- fences its owner and the ack level below which every task is done; its
-- tasks by id (`data`: a serialized zaman.persistence.v1.TransferTask).
CREATE TABLE task_queues (
  namespace_id TEXT    NOT NULL,
  task_queue   TEXT    NOT NULL,
  kind         INTEGER NOT NULL,
  partition_id INTEGER NOT NULL,
  range_id     INTEGER NOT NULL,
  ack_level    INTEGER NOT NULL,
  PRIMARY KEY (namespace_id, task_queue, kind, partition_id)
);
CREATE TABLE tasks (
  namespace_id  TEXT    NOT NULL,
  task_queue    TEXT    NOT NULL,
  kind          INTEGER NOT NULL,
  partition_id  INTEGER NOT NULL,
  task_id       INTEGER NOT NULL,
  created_at_ms INTEGER NOT NULL,
  data          BLOB    NOT NULL,
  PRIMARY KEY (namespace_id, task_queue, kind, partition_id, task_id)
) WITHOUT ROWID;

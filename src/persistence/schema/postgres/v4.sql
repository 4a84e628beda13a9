-- Zaman PostgreSQL schema, version 4: matching's durable backlog. One row
-- per task-queue partition (kind: 1 workflow, 2 activity) with the range id
-- that fences its owner and the ack level below which every task is done;
-- its tasks by id (`data`: a serialized zaman.persistence.v1.TransferTask).
CREATE TABLE task_queues (
  namespace_id TEXT COLLATE "C" NOT NULL,
  task_queue   TEXT COLLATE "C" NOT NULL,
  kind         INTEGER NOT NULL,
  partition_id INTEGER NOT NULL,
  range_id     BIGINT  NOT NULL,
  ack_level    BIGINT  NOT NULL,
  PRIMARY KEY (namespace_id, task_queue, kind, partition_id)
);
CREATE TABLE tasks (
  namespace_id  TEXT COLLATE "C" NOT NULL,
  task_queue    TEXT COLLATE "C" NOT NULL,
  kind          INTEGER NOT NULL,
  partition_id  INTEGER NOT NULL,
  task_id       BIGINT  NOT NULL,
  created_at_ms BIGINT  NOT NULL,
  data          BYTEA   NOT NULL,
  PRIMARY KEY (namespace_id, task_queue, kind, partition_id, task_id)
);

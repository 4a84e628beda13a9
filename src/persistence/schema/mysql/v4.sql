-- Zaman MySQL/MariaDB schema, version 4: matching's durable backlog. One
-- row per task-queue partition (kind: 1 workflow, 2 activity) with the range
-- id that fences its owner and the ack level below which every task is done;
-- its tasks by id (`data`: a serialized zaman.persistence.v1.TransferTask).
-- Task queue names are at most 600 characters here (InnoDB keys are limited
-- to 3072 bytes).
CREATE TABLE task_queues (
  namespace_id VARCHAR(64)  NOT NULL,
  task_queue   VARCHAR(600) NOT NULL,
  kind         INT    NOT NULL,
  partition_id INT    NOT NULL,
  range_id     BIGINT NOT NULL,
  ack_level    BIGINT NOT NULL,
  PRIMARY KEY (namespace_id, task_queue, kind, partition_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE tasks (
  namespace_id  VARCHAR(64)  NOT NULL,
  task_queue    VARCHAR(600) NOT NULL,
  kind          INT    NOT NULL,
  partition_id  INT    NOT NULL,
  task_id       BIGINT NOT NULL,
  created_at_ms BIGINT NOT NULL,
  data          LONGBLOB NOT NULL,
  PRIMARY KEY (namespace_id, task_queue, kind, partition_id, task_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Zaman SQLite schema, version 1.
CREATE TABLE schema_version (
  version INTEGER NOT NULL
);

-- One row: facts fixed when the cluster's store was created.
CREATE TABLE cluster_metadata (
  id            INTEGER PRIMARY KEY CHECK (id = 1),
  cluster_name  TEXT    NOT NULL,
  cluster_id    TEXT    NOT NULL,
  num_shards    INTEGER NOT NULL,
  created_at_ms INTEGER NOT NULL
);

-- `record` is a serialized zaman.persistence.v1.NamespaceRecord.
CREATE TABLE namespaces (
  id      TEXT    PRIMARY KEY,
  name    TEXT    NOT NULL UNIQUE,
  version INTEGER NOT NULL,
  record  BLOB    NOT NULL
);

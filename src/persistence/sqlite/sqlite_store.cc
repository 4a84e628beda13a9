#include "absl/strings/string_view.h"
#include "persistence/sqlite/sqlite_store.h"

#include <filesystem>

#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/errors.h"
#include "persistence/page_token.h"
#include "persistence/sqlite/sqlite_database.h"
#include "persistence/sqlite/sqlite_execution_store.h"
#include "persistence/sqlite/sqlite_job_store.h"
#include "persistence/sqlite/sqlite_membership_store.h"
#include "persistence/sqlite/sqlite_schema.h"
#include "persistence/sqlite/sqlite_task_queue_store.h"
#include "persistence/sqlite/sqlite_upkeep.h"
#include "persistence/sqlite/sqlite_visibility_store.h"
#include "persistence/sqlite/sqlite_wal_limit.h"

namespace zaman::persistence {
namespace {

using sqlite::FromException;
using SqliteDatabase = sqlite::Database;

absl::StatusOr<StoredNamespace> ReadNamespaceRow(SQLite::Statement& query) {
  StoredNamespace stored;
  stored.version = query.getColumn(0).getInt64();
  SQLite::Column blob = query.getColumn(1);
  if (!stored.record.ParseFromArray(blob.getBlob(), blob.getBytes())) {
    return errors::Internal("a stored namespace record does not parse");
  }
  return stored;
}

class SqliteNamespaceStore final : public NamespaceStore {
 public:
  explicit SqliteNamespaceStore(SqliteDatabase& db) : db_(db) {}

  absl::Status CreateNamespace(const NamespaceRecord& record) override {
    return db_.With([&](SQLite::Database& db) -> absl::Status {
      try {
        SQLite::Statement insert(db, "INSERT INTO namespaces (id, name, version, record) VALUES (?, ?, 1, ?)");
        insert.bind(1, record.info().id());
        insert.bind(2, record.info().name());
        std::string blob = record.SerializeAsString();
        insert.bind(3, blob.data(), static_cast<int>(blob.size()));
        insert.exec();
        return absl::OkStatus();
      } catch (const SQLite::Exception& e) {
        return FromException(e, absl::StrCat("create namespace ", record.info().name()));
      }
    });
  }

  absl::StatusOr<StoredNamespace> GetNamespaceByName(absl::string_view name) override {
    return GetBy("name", name);
  }

  absl::StatusOr<StoredNamespace> GetNamespaceById(absl::string_view id) override {
    return GetBy("id", id);
  }

  absl::Status UpdateNamespace(const NamespaceRecord& record, int64_t expected_version) override {
    return db_.With([&](SQLite::Database& db) -> absl::Status {
      try {
        SQLite::Statement update(
            db, "UPDATE namespaces SET record = ?, version = version + 1 "
                "WHERE id = ? AND name = ? AND version = ?");
        std::string blob = record.SerializeAsString();
        update.bind(1, blob.data(), static_cast<int>(blob.size()));
        update.bind(2, record.info().id());
        update.bind(3, record.info().name());
        update.bind(4, static_cast<int64_t>(expected_version));
        if (update.exec() == 1) return absl::OkStatus();
        SQLite::Statement probe(db, "SELECT name FROM namespaces WHERE id = ?");
        probe.bind(1, record.info().id());
        if (!probe.executeStep()) return absl::NotFoundError(absl::StrCat("namespace id ", record.info().id()));
        if (probe.getColumn(0).getString() != record.info().name()) {
          return errors::InvalidArgument("a namespace cannot be renamed");
        }
        return errors::ConditionFailed("namespace was changed concurrently");
      } catch (const SQLite::Exception& e) {
        return FromException(e, absl::StrCat("update namespace ", record.info().name()));
      }
    });
  }

  absl::StatusOr<NamespacePage> ListNamespaces(int page_size, absl::string_view page_token) override {
    std::string after;
    if (!page_token.empty()) {
      absl::StatusOr<std::string> decoded = DecodeNamespacePageToken(page_token);
      if (!decoded.ok()) return decoded.status();
      after = *decoded;
    }
    return db_.With([&](SQLite::Database& db) -> absl::StatusOr<NamespacePage> {
      try {
        // One row more than asked tells whether another page follows.
        SQLite::Statement query(db, page_token.empty()
            ? "SELECT version, record FROM namespaces ORDER BY name LIMIT ?"
            : "SELECT version, record FROM namespaces WHERE name > ? ORDER BY name LIMIT ?");
        int param = 1;
        if (!page_token.empty()) query.bind(param++, after);
        query.bind(param, page_size + 1);
        NamespacePage page;
        bool more = false;
        while (query.executeStep()) {
          if (static_cast<int>(page.namespaces.size()) == page_size) {
            more = true;
            break;
          }
          absl::StatusOr<StoredNamespace> row = ReadNamespaceRow(query);
          if (!row.ok()) return row.status();
          page.namespaces.push_back(*std::move(row));
        }
        if (more && !page.namespaces.empty()) {
          page.next_page_token = EncodeNamespacePageToken(page.namespaces.back().record.info().name());
        }
        return page;
      } catch (const SQLite::Exception& e) {
        return FromException(e, "list namespaces");
      }
    });
  }

 private:
  absl::StatusOr<StoredNamespace> GetBy(absl::string_view column, absl::string_view key) {
    return db_.With([&](SQLite::Database& db) -> absl::StatusOr<StoredNamespace> {
      try {
        SQLite::Statement query(
            db, absl::StrCat("SELECT version, record FROM namespaces WHERE ", column, " = ?"));
        query.bind(1, std::string(key));
        if (!query.executeStep()) return absl::NotFoundError(absl::StrCat("namespace ", column, " ", key));
        return ReadNamespaceRow(query);
      } catch (const SQLite::Exception& e) {
        return FromException(e, absl::StrCat("get namespace ", key));
      }
    });
  }

  SqliteDatabase& db_;
};

class SqliteClusterStore final : public ClusterStore {
 public:
  explicit SqliteClusterStore(SqliteDatabase& db) : db_(db) {}

  absl::StatusOr<ClusterMetadata> InitClusterMetadata(const ClusterMetadata& initial) override {
    return db_.With([&](SQLite::Database& db) -> absl::StatusOr<ClusterMetadata> {
      try {
        SQLite::Statement insert(
            db, "INSERT OR IGNORE INTO cluster_metadata "
                "(id, cluster_name, cluster_id, num_shards, created_at_ms) VALUES (1, ?, ?, ?, ?)");
        insert.bind(1, initial.cluster_name);
        insert.bind(2, initial.cluster_id);
        insert.bind(3, initial.num_shards);
        insert.bind(4, static_cast<int64_t>(absl::ToUnixMillis(initial.created_at)));
        insert.exec();
        SQLite::Statement query(
            db, "SELECT cluster_name, cluster_id, num_shards, created_at_ms FROM cluster_metadata");
        if (!query.executeStep()) return errors::Internal("cluster metadata row is missing");
        ClusterMetadata stored;
        stored.cluster_name = query.getColumn(0).getString();
        stored.cluster_id = query.getColumn(1).getString();
        stored.num_shards = query.getColumn(2).getInt();
        stored.created_at = absl::FromUnixMillis(query.getColumn(3).getInt64());
        return stored;
      } catch (const SQLite::Exception& e) {
        return FromException(e, "init cluster metadata");
      }
    });
  }

 private:
  SqliteDatabase& db_;
};

class SqliteStore final : public Store {
 public:
  SqliteStore(const std::string& path, const SqliteSpaceConfig& space)
      : path_(path), space_(space), db_(path), namespaces_(db_), cluster_(db_),
        jobs_(sqlite::NewJobStore(db_)), membership_(sqlite::NewMembershipStore(db_)),
        task_queues_(sqlite::NewTaskQueueStore(db_)) {}

  absl::Status Init() {
    absl::Status migrated = db_.With([](SQLite::Database& db) -> absl::Status {
      try {
        // Only possible before the first table; older files keep working
        // without it (their free pages are reused, never returned).
        if (db.execAndGet("SELECT COUNT(*) FROM sqlite_master").getInt() == 0) {
          db.exec("PRAGMA auto_vacuum = INCREMENTAL");
        }
        Configure(db);
        return MigrateLocked(db);
      } catch (const SQLite::Exception& e) {
        return FromException(e, "open sqlite store");
      }
    });
    if (!migrated.ok()) return migrated;
    // Visibility reads on a connection of its own, so long list queries do
    // not hold up workflow writes (WAL lets them read side by side); it
    // writes on the main one, in the same group commits as the workflows.
    // An in-memory database exists only on its one connection.
    SqliteDatabase* visibility_db = &db_;
    if (path_ != ":memory:") {
      try {
        visibility_db_ = std::make_unique<SqliteDatabase>(path_);
        visibility_db_->With([](SQLite::Database& db) { Configure(db); });
      } catch (const SQLite::Exception& e) {
        return FromException(e, "open sqlite visibility connection");
      }
      visibility_db = visibility_db_.get();
      if (absl::Status s = BoundSpace(); !s.ok()) return s;
    }
    visibility_rows_ = std::make_unique<sqlite::VisibilityRows>(db_);
    executions_ = sqlite::NewExecutionStore(db_, visibility_rows_.get());
    visibility_ = sqlite::NewVisibilityStore(db_, *visibility_rows_, *visibility_db);
    return absl::OkStatus();
  }

  absl::string_view backend_name() const override { return "sqlite"; }
  NamespaceStore& namespaces() override { return namespaces_; }
  ClusterStore& cluster() override { return cluster_; }
  ExecutionStore& executions() override { return *executions_; }
  VisibilityStore& visibility() override { return *visibility_; }
  JobStore& jobs() override { return *jobs_; }
  MembershipStore& membership() override { return *membership_; }
  TaskQueueStore& task_queues() override { return *task_queues_; }

  absl::Status Compact() {
    if (upkeep_ == nullptr) return absl::OkStatus();  // in memory
    return upkeep_->RunNow();
  }

  SqliteUpkeepCounts Counts() const {
    SqliteUpkeepCounts counts;
    if (wal_limit_ != nullptr) {
      counts.wal_truncations = wal_limit_->truncations();
      counts.wal_truncations_held_off = wal_limit_->held_off();
    }
    if (upkeep_ != nullptr) counts.vacuum_steps = upkeep_->vacuum_steps();
    return counts;
  }

 private:
  static constexpr int kBusyTimeoutMs = 5000;

  static void Configure(SQLite::Database& db) {
    db.exec("PRAGMA journal_mode = WAL");
    db.exec("PRAGMA synchronous = FULL");
    db.exec("PRAGMA foreign_keys = ON");
    db.setBusyTimeout(kBusyTimeoutMs);
  }

  // The bounds of docs/configuration.md "The store": the writing
  // connection's log limit, and the upkeep thread it nudges.
  absl::Status BoundSpace() {
    try {
      upkeep_ = std::make_unique<sqlite::Upkeep>(path_, db_, space_);
      auto nudge = [upkeep = upkeep_.get()] { upkeep->Nudge(); };
      db_.With([&](SQLite::Database& db) {
        wal_limit_ = std::make_unique<sqlite::WalLimit>(db, space_.wal_limit_bytes, kBusyTimeoutMs, nudge);
      });
      return absl::OkStatus();
    } catch (const SQLite::Exception& e) {
      return FromException(e, "start sqlite upkeep");
    }
  }

  static absl::Status MigrateLocked(SQLite::Database& db) {
    const auto& versions = sqlite::SchemaVersions();
    const int known = static_cast<int>(versions.size());
    int current = 0;
    if (db.tableExists("schema_version")) {
      current = db.execAndGet("SELECT MAX(version) FROM schema_version").getInt();
    }
    if (current > known) {
      return absl::FailedPreconditionError(absl::StrCat(
          "the store's schema is version ", current, "; this zaman knows versions up to ", known));
    }
    if (current == known) return absl::OkStatus();
    // Every missing version in one transaction: an upgrade lands whole or
    // not at all, and a new file costs one sync, not one a version.
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    for (int v = current; v < known; ++v) db.exec(std::string(versions[v]));
    db.exec(absl::StrCat("DELETE FROM schema_version; INSERT INTO schema_version VALUES (", known, ")"));
    tx.commit();
    return absl::OkStatus();
  }

  std::string path_;
  SqliteSpaceConfig space_;
  SqliteDatabase db_;
  SqliteNamespaceStore namespaces_;
  SqliteClusterStore cluster_;
  std::unique_ptr<ExecutionStore> executions_;
  std::unique_ptr<JobStore> jobs_;
  std::unique_ptr<MembershipStore> membership_;
  std::unique_ptr<TaskQueueStore> task_queues_;
  std::unique_ptr<SqliteDatabase> visibility_db_;
  std::unique_ptr<sqlite::VisibilityRows> visibility_rows_;
  std::unique_ptr<VisibilityStore> visibility_;
  // Destroyed first: the upkeep's thread, then the hooks, before the
  // connections they use.
  std::unique_ptr<sqlite::WalLimit> wal_limit_;
  std::unique_ptr<sqlite::Upkeep> upkeep_;
};

}  // namespace

namespace sqlite {

absl::Status FromException(const SQLite::Exception& e, absl::string_view what) {
  int code = e.getErrorCode() & 0xFF;
  std::string message = absl::StrCat(what, ": ", e.what());
  if (code == SQLITE_BUSY || code == SQLITE_LOCKED) return errors::Unavailable(message);
  if (code == SQLITE_CONSTRAINT) return absl::AlreadyExistsError(message);
  return errors::Internal(message);
}

}  // namespace sqlite

absl::StatusOr<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path, const SqliteSpaceConfig& space) {
  std::unique_ptr<SqliteStore> store;
  try {
    store = std::make_unique<SqliteStore>(path, space);
  } catch (const SQLite::Exception& e) {
    return FromException(e, absl::StrCat("open sqlite file ", path));
  }
  if (absl::Status s = store->Init(); !s.ok()) return s;
  return store;
}

absl::Status CompactSqliteStore(Store& store) {
  auto* sqlite = dynamic_cast<SqliteStore*>(&store);
  if (sqlite == nullptr) return absl::InvalidArgumentError("not an SQLite store");
  return sqlite->Compact();
}

absl::StatusOr<SqliteUpkeepCounts> SqliteUpkeepCountsOf(Store& store) {
  auto* sqlite = dynamic_cast<SqliteStore*>(&store);
  if (sqlite == nullptr) return absl::InvalidArgumentError("not an SQLite store");
  return sqlite->Counts();
}

absl::StatusOr<std::pair<int, int>> SqliteSchemaVersion(const std::string& path) {
  const int known = static_cast<int>(sqlite::SchemaVersions().size());
  if (path == ":memory:" || !std::filesystem::exists(path)) return std::make_pair(0, known);
  try {
    SQLite::Database db(path, SQLite::OPEN_READONLY);
    int applied = db.tableExists("schema_version") ? db.execAndGet("SELECT MAX(version) FROM schema_version").getInt() : 0;
    return std::make_pair(applied, known);
  } catch (const SQLite::Exception& e) {
    return FromException(e, absl::StrCat("read the schema version of ", path));
  }
}

}  // namespace zaman::persistence

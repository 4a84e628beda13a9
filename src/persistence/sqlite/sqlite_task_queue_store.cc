#include "persistence/sqlite/sqlite_task_queue_store.h"

#include <string>
#include <vector>

#include <SQLiteCpp/SQLiteCpp.h>

#include "absl/strings/str_cat.h"
#include "common/errors.h"

namespace zaman::persistence::sqlite {
namespace {

constexpr char kPartitionWhere[] = " WHERE namespace_id = ? AND task_queue = ? AND kind = ? AND partition_id = ?";

// Binds the key's four columns (kPartitionWhere) from parameter `first` on;
// returns the next parameter's index.
int BindKey(SQLite::Statement& s, const PartitionKey& key, int first = 1) {
  s.bind(first, key.namespace_id);
  s.bind(first + 1, key.task_queue);
  s.bind(first + 2, static_cast<int32_t>(key.kind));
  s.bind(first + 3, key.partition);
  return first + 4;
}

// Every write is one IMMEDIATE transaction on the backend's one connection,
// so the range id it checks cannot move before it commits.
class SqliteTaskQueueStore final : public TaskQueueStore {
 public:
  explicit SqliteTaskQueueStore(Database& db) : db_(db) {}

  absl::StatusOr<PartitionLease> AcquirePartition(const PartitionKey& key) override {
    PartitionLease lease;
    const std::string what = absl::StrCat("acquire ", DescribePartition(key));
    absl::Status status = db_.Write(what, [&](SQLite::Database&) -> absl::Status {
      PreparedStatement insert = db_.Prepare(
          "INSERT OR IGNORE INTO task_queues (namespace_id, task_queue, kind, partition_id, range_id, ack_level)"
          " VALUES (?, ?, ?, ?, 0, 0)");
      BindKey(*insert, key);
      (*insert).exec();
      PreparedStatement bump =
          db_.Prepare(absl::StrCat("UPDATE task_queues SET range_id = range_id + 1", kPartitionWhere));
      BindKey(*bump, key);
      (*bump).exec();
      absl::StatusOr<PartitionLease> stored = ReadLease(key);
      if (!stored.ok()) return stored.status();
      lease = *stored;
      return absl::OkStatus();
    });
    if (!status.ok()) return status;
    return lease;
  }

  absl::Status AddTasks(const PartitionKey& key, int64_t range_id, const std::vector<QueuedTask>& tasks) override {
    return db_.Write(absl::StrCat("add tasks to ", DescribePartition(key)), [&](SQLite::Database&) -> absl::Status {
      if (absl::Status fenced = CheckRange(key, range_id).status(); !fenced.ok()) return fenced;
      PreparedStatement insert = db_.Prepare(
          "INSERT INTO tasks (namespace_id, task_queue, kind, partition_id, task_id, created_at_ms, data)"
          " VALUES (?, ?, ?, ?, ?, ?, ?)");
      for (const QueuedTask& task : tasks) {
        (*insert).reset();
        int next = BindKey(*insert, key);
        (*insert).bind(next, static_cast<int64_t>(task.task_id));
        (*insert).bind(next + 1, static_cast<int64_t>(absl::ToUnixMillis(task.created_at)));
        std::string data = task.task.SerializeAsString();
        (*insert).bind(next + 2, data.data(), static_cast<int>(data.size()));
        (*insert).exec();
      }
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::vector<QueuedTask>> ReadTasks(const PartitionKey& key, int64_t after_task_id,
                                                    int limit) override {
    std::vector<QueuedTask> tasks;
    const std::string what = absl::StrCat("read tasks of ", DescribePartition(key));
    absl::Status status = db_.Run(what, [&](SQLite::Database&) -> absl::Status {
      PreparedStatement q = db_.Prepare(absl::StrCat("SELECT task_id, created_at_ms, data FROM tasks", kPartitionWhere,
                                                     " AND task_id > ? ORDER BY task_id LIMIT ?"));
      int next = BindKey(*q, key);
      (*q).bind(next, static_cast<int64_t>(after_task_id));
      (*q).bind(next + 1, limit);
      while ((*q).executeStep()) {
        QueuedTask& task = tasks.emplace_back();
        task.task_id = (*q).getColumn(0).getInt64();
        task.created_at = absl::FromUnixMillis((*q).getColumn(1).getInt64());
        SQLite::Column data = (*q).getColumn(2);
        if (!task.task.ParseFromArray(data.getBlob(), data.getBytes())) {
          return errors::Internal(
              absl::StrCat("task ", task.task_id, " of ", DescribePartition(key), " does not parse"));
        }
      }
      return absl::OkStatus();
    });
    if (!status.ok()) return status;
    return tasks;
  }

  absl::Status CompleteTasksUpTo(const PartitionKey& key, int64_t range_id, int64_t ack_level) override {
    const std::string what = absl::StrCat("complete tasks of ", DescribePartition(key));
    return db_.Write(what, [&](SQLite::Database&) -> absl::Status {
      absl::StatusOr<PartitionLease> stored = CheckRange(key, range_id);
      if (!stored.ok()) return stored.status();
      if (ack_level <= stored->ack_level) return absl::OkStatus();
      PreparedStatement update = db_.Prepare(absl::StrCat("UPDATE task_queues SET ack_level = ?", kPartitionWhere));
      (*update).bind(1, static_cast<int64_t>(ack_level));
      BindKey(*update, key, 2);
      (*update).exec();
      PreparedStatement del = db_.Prepare(absl::StrCat("DELETE FROM tasks", kPartitionWhere, " AND task_id <= ?"));
      (*del).bind(BindKey(*del, key), static_cast<int64_t>(ack_level));
      (*del).exec();
      return absl::OkStatus();
    });
  }

  absl::Status CompleteTask(const PartitionKey& key, int64_t task_id) override {
    return db_.Write(absl::StrCat("complete a task of ", DescribePartition(key)), [&](SQLite::Database&) -> absl::Status {
      PreparedStatement del = db_.Prepare(absl::StrCat("DELETE FROM tasks", kPartitionWhere, " AND task_id = ?"));
      (*del).bind(BindKey(*del, key), static_cast<int64_t>(task_id));
      (*del).exec();
      return absl::OkStatus();
    });
  }

  absl::StatusOr<int64_t> CountTasks(const PartitionKey& key) override {
    int64_t count = 0;
    const std::string what = absl::StrCat("count tasks of ", DescribePartition(key));
    absl::Status status = db_.Run(what, [&](SQLite::Database&) -> absl::Status {
      PreparedStatement q = db_.Prepare(absl::StrCat("SELECT COUNT(*) FROM tasks", kPartitionWhere));
      BindKey(*q, key);
      (*q).executeStep();
      count = (*q).getColumn(0).getInt64();
      return absl::OkStatus();
    });
    if (!status.ok()) return status;
    return count;
  }

  absl::StatusOr<std::vector<PartitionInfo>> ListPartitions(absl::string_view namespace_id,
                                                            absl::string_view task_queue) override {
    std::vector<PartitionInfo> partitions;
    const std::string what = absl::StrCat("list partitions of ", task_queue);
    absl::Status status = db_.Run(what, [&](SQLite::Database&) -> absl::Status {
      PreparedStatement q = db_.Prepare(
          "SELECT kind, partition_id, range_id, ack_level FROM task_queues WHERE namespace_id = ? AND task_queue = ?"
          " ORDER BY kind, partition_id");
      (*q).bind(1, std::string(namespace_id));
      (*q).bind(2, std::string(task_queue));
      while ((*q).executeStep()) {
        PartitionInfo& info = partitions.emplace_back();
        info.key.namespace_id = std::string(namespace_id);
        info.key.task_queue = std::string(task_queue);
        info.key.kind = static_cast<TaskQueueKind>((*q).getColumn(0).getInt());
        info.key.partition = (*q).getColumn(1).getInt();
        info.range_id = (*q).getColumn(2).getInt64();
        info.ack_level = (*q).getColumn(3).getInt64();
      }
      return absl::OkStatus();
    });
    if (!status.ok()) return status;
    return partitions;
  }

 private:
  // Inside With(): the stored range id and ack level, NotFound without a row.
  absl::StatusOr<PartitionLease> ReadLease(const PartitionKey& key) {
    PreparedStatement q = db_.Prepare(absl::StrCat("SELECT range_id, ack_level FROM task_queues", kPartitionWhere));
    BindKey(*q, key);
    if (!(*q).executeStep()) return absl::NotFoundError(absl::StrCat(DescribePartition(key), " has no row"));
    return PartitionLease{(*q).getColumn(0).getInt64(), (*q).getColumn(1).getInt64()};
  }

  // Inside a write: TaskQueueOwnershipLost unless the range id is `range_id`.
  absl::StatusOr<PartitionLease> CheckRange(const PartitionKey& key, int64_t range_id) {
    absl::StatusOr<PartitionLease> stored = ReadLease(key);
    if (!stored.ok() || stored->range_id != range_id) {
      return errors::TaskQueueOwnershipLost(absl::StrCat(DescribePartition(key), " is owned elsewhere now"));
    }
    return stored;
  }

  Database& db_;
};

}  // namespace

std::unique_ptr<TaskQueueStore> NewTaskQueueStore(Database& db) { return std::make_unique<SqliteTaskQueueStore>(db); }

}  // namespace zaman::persistence::sqlite

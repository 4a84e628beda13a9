#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "persistence/sql/sql_stores.h"

namespace zaman::persistence::sql {
namespace {

constexpr char kPartitionWhere[] = " WHERE namespace_id = ? AND task_queue = ? AND kind = ? AND partition_id = ?";

// `before`, the key's four columns (kPartitionWhere), then `after`.
std::vector<Value> KeyParams(const PartitionKey& key, std::vector<Value> after = {}, std::vector<Value> before = {}) {
  std::vector<Value> params = std::move(before);
  params.insert(params.end(), {key.namespace_id, key.task_queue, int64_t{static_cast<int32_t>(key.kind)},
                               int64_t{key.partition}});
  for (Value& v : after) params.push_back(std::move(v));
  return params;
}

// The fence: the partition's range id, read in `c`'s transaction with the
// row locked (`lock`) until it ends; TaskQueueOwnershipLost unless it is
// `range_id`. Returns the stored ack level.
absl::StatusOr<int64_t> CheckRange(Connection& c, const PartitionKey& key, int64_t range_id, absl::string_view lock) {
  absl::StatusOr<Result> r = c.Run(absl::StrCat("SELECT range_id, ack_level FROM task_queues", kPartitionWhere, lock),
                                   KeyParams(key));
  if (!r.ok()) return r.status();
  if (r->rows() == 0 || r->Int(0, 0) != range_id) {
    return errors::TaskQueueOwnershipLost(absl::StrCat(DescribePartition(key), " is owned elsewhere now"));
  }
  return r->Int(0, 1);
}

class SqlTaskQueueStore final : public TaskQueueStore {
 public:
  SqlTaskQueueStore(ConnectionPool& pool, Dialect dialect) : pool_(pool), dialect_(dialect) {}

  absl::StatusOr<PartitionLease> AcquirePartition(const PartitionKey& key) override {
    PartitionLease lease;
    absl::Status status = pool_.Transaction([&](Connection& c) -> absl::Status {
      absl::StatusOr<Result> r = c.Run(
          InsertIgnore(dialect_, "task_queues (namespace_id, task_queue, kind, partition_id, range_id, ack_level)"
                                 " VALUES (?, ?, ?, ?, 0, 0)"),
          KeyParams(key));
      if (r.ok()) r = c.Run(absl::StrCat("SELECT range_id, ack_level FROM task_queues", kPartitionWhere, " FOR UPDATE"),
                            KeyParams(key));
      if (!r.ok()) return r.status();
      if (r->rows() != 1) return errors::Internal(absl::StrCat(DescribePartition(key), " has no row"));
      lease.range_id = r->Int(0, 0) + 1;
      lease.ack_level = r->Int(0, 1);
      return c.Run(absl::StrCat("UPDATE task_queues SET range_id = ?", kPartitionWhere),
                   KeyParams(key, {}, {lease.range_id}))
          .status();
    });
    if (!status.ok()) return status;
    return lease;
  }

  absl::Status AddTasks(const PartitionKey& key, int64_t range_id, const std::vector<QueuedTask>& tasks) override {
    absl::Status status = pool_.Transaction([&](Connection& c) -> absl::Status {
      // A shared lock: the owner's adds go side by side; a new owner's
      // acquire waits for them, and they fail after it.
      absl::StatusOr<int64_t> fenced = CheckRange(c, key, range_id, ShareLock(dialect_));
      if (!fenced.ok()) return fenced.status();
      for (const QueuedTask& task : tasks) {
        absl::StatusOr<Result> r = c.Run(
            "INSERT INTO tasks (namespace_id, task_queue, kind, partition_id, task_id, created_at_ms, data)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            KeyParams(key, {task.task_id, static_cast<int64_t>(absl::ToUnixMillis(task.created_at)),
                               Bytes{task.task.SerializeAsString()}}));
        if (!r.ok()) return r.status();
      }
      return absl::OkStatus();
    });
    if (IsCommitOutcomeUnknown(status) && !tasks.empty()) {
      // The owner chose the ids, so whether the transaction landed can be
      // read back: the caller must hear OK exactly when it did.
      absl::StatusOr<Result> r = pool_.Query(absl::StrCat("SELECT 1 FROM tasks", kPartitionWhere, " AND task_id = ?"),
                                             KeyParams(key, {tasks.front().task_id}));
      if (!r.ok()) {
        return errors::Unavailable(
            absl::StrCat(status.message(), "; reading it back failed too: ", r.status().message()));
      }
      if (r->rows() > 0) return absl::OkStatus();
      return errors::Unavailable(
          absl::StrCat("adding tasks to ", DescribePartition(key), " was not applied: ", status.message()));
    }
    return status;
  }

  absl::StatusOr<std::vector<QueuedTask>> ReadTasks(const PartitionKey& key, int64_t after_task_id,
                                                    int limit) override {
    absl::StatusOr<Result> r =
        pool_.Query(absl::StrCat("SELECT task_id, created_at_ms, data FROM tasks", kPartitionWhere,
                                 " AND task_id > ? ORDER BY task_id LIMIT ?"),
                    KeyParams(key, {after_task_id, int64_t{limit}}));
    if (!r.ok()) return r.status();
    std::vector<QueuedTask> tasks;
    tasks.reserve(r->rows());
    for (size_t i = 0; i < r->rows(); ++i) {
      QueuedTask& task = tasks.emplace_back();
      task.task_id = r->Int(i, 0);
      task.created_at = absl::FromUnixMillis(r->Int(i, 1));
      if (!task.task.ParseFromString(r->Bytes(i, 2))) {
        return errors::Internal(absl::StrCat("task ", task.task_id, " of ", DescribePartition(key), " does not parse"));
      }
    }
    return tasks;
  }

  absl::Status CompleteTasksUpTo(const PartitionKey& key, int64_t range_id, int64_t ack_level) override {
    // Completing again is harmless, so an unknown outcome needs no read back.
    return pool_.Transaction([&](Connection& c) -> absl::Status {
      absl::StatusOr<int64_t> stored = CheckRange(c, key, range_id, " FOR UPDATE");
      if (!stored.ok()) return stored.status();
      if (ack_level <= *stored) return absl::OkStatus();
      absl::StatusOr<Result> r = c.Run(absl::StrCat("UPDATE task_queues SET ack_level = ?", kPartitionWhere),
                                       KeyParams(key, {}, {ack_level}));
      if (r.ok()) {
        r = c.Run(absl::StrCat("DELETE FROM tasks", kPartitionWhere, " AND task_id <= ?"), KeyParams(key, {ack_level}));
      }
      return r.status();
    });
  }

  absl::Status CompleteTask(const PartitionKey& key, int64_t task_id) override {
    return pool_.Transaction([&](Connection& c) {
      return c.Run(absl::StrCat("DELETE FROM tasks", kPartitionWhere, " AND task_id = ?"), KeyParams(key, {task_id}))
          .status();
    });
  }

  absl::StatusOr<int64_t> CountTasks(const PartitionKey& key) override {
    absl::StatusOr<Result> r = pool_.Query(absl::StrCat("SELECT COUNT(*) FROM tasks", kPartitionWhere), KeyParams(key));
    if (!r.ok()) return r.status();
    return r->Int(0, 0);
  }

  absl::StatusOr<std::vector<PartitionInfo>> ListPartitions(absl::string_view namespace_id,
                                                            absl::string_view task_queue) override {
    absl::StatusOr<Result> r = pool_.Query(
        "SELECT kind, partition_id, range_id, ack_level FROM task_queues WHERE namespace_id = ? AND task_queue = ?"
        " ORDER BY kind, partition_id",
        {std::string(namespace_id), std::string(task_queue)});
    if (!r.ok()) return r.status();
    std::vector<PartitionInfo> partitions;
    for (size_t i = 0; i < r->rows(); ++i) {
      PartitionInfo& info = partitions.emplace_back();
      info.key.namespace_id = std::string(namespace_id);
      info.key.task_queue = std::string(task_queue);
      info.key.kind = static_cast<TaskQueueKind>(r->Int(i, 0));
      info.key.partition = static_cast<int32_t>(r->Int(i, 1));
      info.range_id = r->Int(i, 2);
      info.ack_level = r->Int(i, 3);
    }
    return partitions;
  }

 private:
  ConnectionPool& pool_;
  Dialect dialect_;
};

}  // namespace

std::unique_ptr<TaskQueueStore> NewTaskQueueStore(ConnectionPool& pool, Dialect dialect) {
  return std::make_unique<SqlTaskQueueStore>(pool, dialect);
}

}  // namespace zaman::persistence::sql

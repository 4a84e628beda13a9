#pragma once

#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "zaman/persistence/v1/execution.pb.h"

namespace zaman::persistence {

// Which tasks a partition holds; the values are Temporal's TaskQueueType.
enum class TaskQueueKind : int32_t { kWorkflow = 1, kActivity = 2 };

// One partition of a task queue: the unit a matching host owns.
struct PartitionKey {
  std::string namespace_id;
  std::string task_queue;  // the queue's own name, the same for every partition
  TaskQueueKind kind = TaskQueueKind::kWorkflow;
  int32_t partition = 0;

  friend bool operator==(const PartitionKey& a, const PartitionKey& b) {
    return std::tie(a.namespace_id, a.task_queue, a.kind, a.partition) ==
           std::tie(b.namespace_id, b.task_queue, b.kind, b.partition);
  }
  friend bool operator<(const PartitionKey& a, const PartitionKey& b) {
    return std::tie(a.namespace_id, a.task_queue, a.kind, a.partition) <
           std::tie(b.namespace_id, b.task_queue, b.kind, b.partition);
  }
};

// "task queue orders (workflow) partition 2", for messages and logs.
inline std::string DescribePartition(const PartitionKey& key) {
  const char* kind = key.kind == TaskQueueKind::kWorkflow ? " (workflow)" : " (activity)";
  return absl::StrCat("task queue ", key.task_queue, kind, " partition ", key.partition);
}

// What an owner gets when it takes a partition.
struct PartitionLease {
  int64_t range_id = 0;   // the fence: every later write names it
  int64_t ack_level = 0;  // every task id at or below it is done
};

// A partition as stored, for listings.
struct PartitionInfo {
  PartitionKey key;
  int64_t range_id = 0;
  int64_t ack_level = 0;
};

// A task waiting in a partition's backlog.
struct QueuedTask {
  // Chosen by the owner as (range_id << kTaskIdRangeBits) | n, so that ids
  // stay unique and increasing across owners.
  int64_t task_id = 0;
  ::zaman::persistence::v1::TransferTask task;  // stored serialized
  absl::Time created_at;                         // kept to the millisecond
};

// The bits of a task id below the owner's range id.
inline constexpr int kTaskIdRangeBits = 20;

// Matching's durable backlog (Temporal's task_queues + tasks): one row per
// partition carrying its range id and ack level, and the partition's tasks
// by id. Writes that only the owner may make are fenced by the range id in
// the same transaction, so a host that lost a partition can neither add
// tasks to it nor move its ack level. Thread-safe; calls block on I/O.
class TaskQueueStore {
 public:
  virtual ~TaskQueueStore() = default;

  // Takes the partition: creates its row when missing and bumps its range
  // id, which fences every earlier owner.
  virtual absl::StatusOr<PartitionLease> AcquirePartition(const PartitionKey& key) = 0;
  // Adds `tasks` in one transaction if the partition's range id is still
  // `range_id`; TaskQueueOwnershipLost when it is not (or the partition was
  // never acquired), AlreadyExists when a task id is taken.
  virtual absl::Status AddTasks(const PartitionKey& key, int64_t range_id, const std::vector<QueuedTask>& tasks) = 0;
  // Up to `limit` tasks with ids above `after_task_id`, in id order.
  virtual absl::StatusOr<std::vector<QueuedTask>> ReadTasks(const PartitionKey& key, int64_t after_task_id,
                                                            int limit) = 0;
  // Records that every task up to `ack_level` is done and deletes them, if
  // the range id is still `range_id` (TaskQueueOwnershipLost otherwise). The
  // ack level never moves back: a lower one deletes nothing more.
  virtual absl::Status CompleteTasksUpTo(const PartitionKey& key, int64_t range_id, int64_t ack_level) = 0;
  // Deletes one task, done out of order. Not fenced: whoever dispatched a
  // task may drop it. OK when it is gone already.
  virtual absl::Status CompleteTask(const PartitionKey& key, int64_t task_id) = 0;
  // The partition's backlog: tasks stored and not completed.
  virtual absl::StatusOr<int64_t> CountTasks(const PartitionKey& key) = 0;
  // Every stored partition of a task queue (both kinds), by kind, then
  // partition number.
  virtual absl::StatusOr<std::vector<PartitionInfo>> ListPartitions(absl::string_view namespace_id,
                                                                    absl::string_view task_queue) = 0;
};

}  // namespace zaman::persistence

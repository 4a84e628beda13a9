#pragma once

// The page reads of a shard's outbox and timer queue (ExecutionStore's
// LoadTransferTasks / LoadTimerTasks): the same SQL on every backend, with
// `?` parameters in the order the comments give.

namespace zaman::persistence {

// shard_id, after_task_id, limit.
inline constexpr char kTransferTaskPageSql[] =
    "SELECT task FROM transfer_tasks WHERE shard_id = ? AND task_id > ? ORDER BY task_id LIMIT ?";

// shard_id, after.fire_time_ms, after.fire_time_ms, after.task_id, before_ms, limit.
inline constexpr char kTimerTaskPageSql[] =
    "SELECT task FROM timer_tasks WHERE shard_id = ? AND (fire_time_ms > ? OR (fire_time_ms = ? AND task_id > ?))"
    " AND fire_time_ms < ? ORDER BY fire_time_ms, task_id LIMIT ?";

}  // namespace zaman::persistence

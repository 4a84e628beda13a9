#include "persistence/sql/sql_stores.h"
#include "persistence/task_page_sql.h"

#include <google/protobuf/util/time_util.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/errors.h"

namespace zaman::persistence::sql {
namespace {

using ::google::protobuf::util::TimeUtil;

// Rows a multi-row INSERT or an IN list carries at most; each count is a
// statement of its own, prepared once per connection.
constexpr size_t kRowsPerStatement = 16;

// "INSERT INTO table (cols) VALUES (?, …), (?, …)" for `rows` rows.
std::string MultiInsert(absl::string_view head, int columns, size_t rows) {
  std::vector<std::string> marks(columns, "?");
  std::string row = absl::StrCat("(", absl::StrJoin(marks, ", "), ")");
  std::vector<std::string> all(rows, row);
  return absl::StrCat(head, " VALUES ", absl::StrJoin(all, ", "));
}

// Runs `head` over `items` in chunks; `bind(item, params)` appends one
// row's values.
template <typename Item, typename BindRow>
absl::Status InsertAll(Connection& connection, absl::string_view head, int columns, const std::vector<Item>& items,
                       BindRow bind) {
  for (size_t from = 0; from < items.size(); from += kRowsPerStatement) {
    size_t n = std::min(kRowsPerStatement, items.size() - from);
    std::vector<Value> params;
    params.reserve(n * columns);
    for (size_t i = from; i < from + n; ++i) bind(items[i], params);
    absl::StatusOr<Result> done = connection.Run(MultiInsert(head, columns, n), params);
    if (!done.ok()) return done.status();
  }
  return absl::OkStatus();
}

absl::Status DeleteTasks(Connection& connection, absl::string_view table, int32_t shard_id,
                         const std::vector<int64_t>& task_ids) {
  for (size_t from = 0; from < task_ids.size(); from += kRowsPerStatement) {
    size_t n = std::min(kRowsPerStatement, task_ids.size() - from);
    std::vector<std::string> marks(n, "?");
    std::vector<Value> params{int64_t{shard_id}};
    for (size_t i = from; i < from + n; ++i) params.emplace_back(task_ids[i]);
    absl::StatusOr<Result> done = connection.Run(
        absl::StrCat("DELETE FROM ", table, " WHERE shard_id = ? AND task_id IN (", absl::StrJoin(marks, ", "), ")"),
        params);
    if (!done.ok()) return done.status();
  }
  return absl::OkStatus();
}

template <typename Message>
absl::StatusOr<Message> Parse(const std::string& bytes, absl::string_view what) {
  Message message;
  if (!message.ParseFromString(bytes)) return errors::Internal(absl::StrCat("a stored ", what, " does not parse"));
  return message;
}

class SqlExecutionStore final : public ExecutionStore {
 public:
  SqlExecutionStore(ConnectionPool& pool, Dialect dialect) : pool_(pool), dialect_(dialect) {}

  absl::StatusOr<int64_t> AcquireShard(int32_t shard_id) override {
    int64_t range_id = 0;
    absl::Status status = pool_.Transaction([&](Connection& c) -> absl::Status {
      absl::StatusOr<Result> r =
          c.Run(InsertIgnore(dialect_, "shards (shard_id, range_id) VALUES (?, 0)"), {{int64_t{shard_id}}});
      if (r.ok()) r = c.Run("SELECT range_id FROM shards WHERE shard_id = ? FOR UPDATE", {{int64_t{shard_id}}});
      if (!r.ok()) return r.status();
      if (r->rows() != 1) return errors::Internal(absl::StrCat("shard ", shard_id, " has no row"));
      range_id = r->Int(0, 0) + 1;
      return c.Run("UPDATE shards SET range_id = ? WHERE shard_id = ?", {{range_id}, {int64_t{shard_id}}}).status();
    });
    if (!status.ok()) return status;
    return range_id;
  }

  absl::Status Commit(int32_t shard_id, int64_t range_id, const ShardTransaction& tx) override {
    absl::Status status = pool_.Transaction([&](Connection& c) { return CommitIn(c, shard_id, range_id, tx); });
    if (IsCommitOutcomeUnknown(status)) {
      // The shard has one writer, so whether this transaction landed can be
      // read back: a caller must hear OK exactly when it did.
      absl::StatusOr<bool> landed = Landed(shard_id, tx);
      if (!landed.ok()) {
        return errors::Unavailable(absl::StrCat(status.message(), "; reading it back failed too: ",
                                                landed.status().message()));
      }
      if (*landed) return absl::OkStatus();
      return errors::Unavailable(absl::StrCat("commit shard ", shard_id, " was not applied: ", status.message()));
    }
    // A unique key hit means another writer got there first (a run id or an
    // event id already written): a lost race, not a fault.
    if (status.code() == absl::StatusCode::kAlreadyExists) {
      return errors::ConditionFailed(absl::StrCat("commit shard ", shard_id, ": ", status.message()));
    }
    return status;
  }

  absl::StatusOr<ExecutionRecord> GetExecution(absl::string_view namespace_id, absl::string_view workflow_id,
                                               absl::string_view run_id) override {
    absl::StatusOr<Result> r = pool_.Query(
        "SELECT db_version, state FROM executions WHERE namespace_id = ? AND workflow_id = ? AND run_id = ?",
        {std::string(namespace_id), std::string(workflow_id), std::string(run_id)});
    if (!r.ok()) return r.status();
    if (r->rows() == 0) return absl::NotFoundError(absl::StrCat("workflow ", workflow_id, " run ", run_id));
    ExecutionRecord record;
    record.db_version = r->Int(0, 0);
    absl::StatusOr<MutableState> state = Parse<MutableState>(r->Bytes(0, 1), "mutable state");
    if (!state.ok()) return state.status();
    record.state = *std::move(state);
    return record;
  }

  absl::StatusOr<std::string> GetCurrentRunId(absl::string_view namespace_id,
                                              absl::string_view workflow_id) override {
    absl::StatusOr<Result> r = pool_.Query("SELECT run_id FROM current_executions WHERE namespace_id = ? AND workflow_id = ?",
                                    {std::string(namespace_id), std::string(workflow_id)});
    if (!r.ok()) return r.status();
    if (r->rows() == 0) return absl::NotFoundError(absl::StrCat("workflow ", workflow_id));
    return r->Bytes(0, 0);
  }

  absl::StatusOr<std::vector<HistoryEvent>> ReadHistory(absl::string_view namespace_id,
                                                        absl::string_view workflow_id, absl::string_view run_id,
                                                        int64_t from_event_id, int64_t to_event_id,
                                                        int max_events) override {
    absl::StatusOr<Result> r =
        pool_.Query("SELECT event FROM history_events WHERE namespace_id = ? AND workflow_id = ? AND run_id = ?"
             " AND event_id >= ? AND event_id < ? ORDER BY event_id LIMIT ?",
             {std::string(namespace_id), std::string(workflow_id), std::string(run_id), from_event_id, to_event_id,
              int64_t{max_events}});
    if (!r.ok()) return r.status();
    std::vector<HistoryEvent> events;
    events.reserve(r->rows());
    for (size_t i = 0; i < r->rows(); ++i) {
      absl::StatusOr<HistoryEvent> event = Parse<HistoryEvent>(r->Bytes(i, 0), "history event");
      if (!event.ok()) return event.status();
      events.push_back(*std::move(event));
    }
    return events;
  }

  absl::StatusOr<std::vector<TransferTask>> LoadTransferTasks(int32_t shard_id, int64_t after_task_id,
                                                              int limit) override {
    return LoadTasks<TransferTask>(kTransferTaskPageSql, {int64_t{shard_id}, after_task_id, int64_t{limit}});
  }

  absl::StatusOr<std::vector<TimerTask>> LoadTimerTasks(int32_t shard_id, TimerKey after, int64_t before_ms,
                                                        int limit) override {
    return LoadTasks<TimerTask>(kTimerTaskPageSql, {int64_t{shard_id}, after.fire_time_ms, after.fire_time_ms,
                                                    after.task_id, before_ms, int64_t{limit}});
  }

 private:
  // Whether the transaction `tx` is in the store, judged by its first change
  // (all or none of it is).
  absl::StatusOr<bool> Landed(int32_t shard_id, const ShardTransaction& tx) {
    if (!tx.updates.empty()) {
      const ExecutionUpdate& u = tx.updates.front();
      absl::StatusOr<ExecutionRecord> record =
          GetExecution(u.state.namespace_id(), u.state.workflow_id(), u.state.run_id());
      if (record.status().code() == absl::StatusCode::kNotFound) return false;
      if (!record.ok()) return record.status();
      return record->db_version == u.expected_db_version + 1;
    }
    if (!tx.deletions.empty()) {
      const ExecutionDeletion& d = tx.deletions.front();
      absl::StatusOr<ExecutionRecord> record = GetExecution(d.namespace_id, d.workflow_id, d.run_id);
      if (record.status().code() == absl::StatusCode::kNotFound) return true;
      if (!record.ok()) return record.status();
      return false;
    }
    auto task_exists = [&](const char* table, int64_t task_id) -> absl::StatusOr<bool> {
      absl::StatusOr<Result> r = pool_.Query(
          absl::StrCat("SELECT COUNT(*) FROM ", table, " WHERE shard_id = ? AND task_id = ?"), {int64_t{shard_id}, task_id});
      if (!r.ok()) return r.status();
      return r->Int(0, 0) > 0;
    };
    if (!tx.new_transfer_tasks.empty()) return task_exists("transfer_tasks", tx.new_transfer_tasks.front().task_id());
    if (!tx.new_timer_tasks.empty()) return task_exists("timer_tasks", tx.new_timer_tasks.front().task_id());
    if (!tx.done_transfer_tasks.empty()) {
      absl::StatusOr<bool> exists = task_exists("transfer_tasks", tx.done_transfer_tasks.front());
      if (!exists.ok()) return exists.status();
      return !*exists;
    }
    if (!tx.done_timer_tasks.empty()) {
      absl::StatusOr<bool> exists = task_exists("timer_tasks", tx.done_timer_tasks.front());
      if (!exists.ok()) return exists.status();
      return !*exists;
    }
    return true;  // nothing to apply
  }

  template <typename Task>
  absl::StatusOr<std::vector<Task>> LoadTasks(absl::string_view sql, std::initializer_list<int64_t> params) {
    std::vector<Value> bound(params.begin(), params.end());
    absl::StatusOr<Result> r = pool_.Query(sql, std::move(bound));
    if (!r.ok()) return r.status();
    std::vector<Task> tasks;
    tasks.reserve(r->rows());
    for (size_t i = 0; i < r->rows(); ++i) {
      absl::StatusOr<Task> task = Parse<Task>(r->Bytes(i, 0), "task");
      if (!task.ok()) return task.status();
      tasks.push_back(*std::move(task));
    }
    return tasks;
  }

  absl::Status CommitIn(Connection& c, int32_t shard_id, int64_t range_id, const ShardTransaction& tx) {
    // Fencing: the shard row is held shared until this transaction ends, so
    // a new owner's bump of range_id waits for it, and a commit after the
    // bump sees the new value.
    absl::StatusOr<Result> fence =
        c.Run(absl::StrCat("SELECT range_id FROM shards WHERE shard_id = ?", ShareLock(dialect_)), {{int64_t{shard_id}}});
    if (!fence.ok()) return fence.status();
    if (fence->rows() != 1 || fence->Int(0, 0) != range_id) {
      return errors::ShardOwnershipLost(absl::StrCat("shard ", shard_id, " is owned elsewhere now"));
    }
    for (const ExecutionUpdate& update : tx.updates) {
      if (absl::Status s = ApplyUpdate(c, shard_id, update); !s.ok()) return s;
    }
    for (const ExecutionDeletion& deletion : tx.deletions) {
      if (absl::Status s = ApplyDeletion(c, deletion); !s.ok()) return s;
    }
    absl::Status s = InsertAll(c, "INSERT INTO transfer_tasks (shard_id, task_id, task)", 3, tx.new_transfer_tasks,
                               [&](const TransferTask& task, std::vector<Value>& p) {
                                 p.emplace_back(int64_t{shard_id});
                                 p.emplace_back(static_cast<int64_t>(task.task_id()));
                                 p.emplace_back(Bytes{task.SerializeAsString()});
                               });
    if (s.ok()) {
      s = InsertAll(c, "INSERT INTO timer_tasks (shard_id, task_id, fire_time_ms, task)", 4, tx.new_timer_tasks,
                    [&](const TimerTask& task, std::vector<Value>& p) {
                      p.emplace_back(int64_t{shard_id});
                      p.emplace_back(static_cast<int64_t>(task.task_id()));
                      p.emplace_back(static_cast<int64_t>(TimeUtil::TimestampToMilliseconds(task.fire_time())));
                      p.emplace_back(Bytes{task.SerializeAsString()});
                    });
    }
    if (s.ok()) s = DeleteTasks(c, "transfer_tasks", shard_id, tx.done_transfer_tasks);
    if (s.ok()) s = DeleteTasks(c, "timer_tasks", shard_id, tx.done_timer_tasks);
    return s;
  }

  absl::Status ApplyUpdate(Connection& c, int32_t shard_id, const ExecutionUpdate& update) {
    const MutableState& state = update.state;
    if (update.expected_db_version == 0) {
      absl::StatusOr<Result> inserted = c.Run(
          "INSERT INTO executions (namespace_id, workflow_id, run_id, shard_id, db_version, state)"
          " VALUES (?, ?, ?, ?, 1, ?)",
          {state.namespace_id(), state.workflow_id(), state.run_id(), int64_t{shard_id},
           Bytes{state.SerializeAsString()}});
      if (!inserted.ok()) return inserted.status();
    } else {
      // The conditional UPDATE locks the row and compares its version in one
      // step: a concurrent writer of the same run waits, then finds no match.
      absl::StatusOr<Result> written = c.Run(
          "UPDATE executions SET db_version = db_version + 1, state = ?"
          " WHERE namespace_id = ? AND workflow_id = ? AND run_id = ? AND db_version = ?",
          {Bytes{state.SerializeAsString()}, state.namespace_id(), state.workflow_id(), state.run_id(),
           update.expected_db_version});
      if (!written.ok()) return written.status();
      if (written->affected_rows != 1) {
        return errors::ConditionFailed(absl::StrCat("workflow ", state.workflow_id(), " changed concurrently"));
      }
    }
    if (update.set_current) {
      if (absl::Status s = SetCurrent(c, update); !s.ok()) return s;
    }
    return InsertAll(c, "INSERT INTO history_events (namespace_id, workflow_id, run_id, event_id, event)", 5,
                     update.events, [&](const HistoryEvent& event, std::vector<Value>& p) {
                       p.emplace_back(state.namespace_id());
                       p.emplace_back(state.workflow_id());
                       p.emplace_back(state.run_id());
                       p.emplace_back(static_cast<int64_t>(event.event_id()));
                       p.emplace_back(Bytes{event.SerializeAsString()});
                     });
  }

  absl::Status SetCurrent(Connection& c, const ExecutionUpdate& update) {
    const MutableState& state = update.state;
    absl::StatusOr<Result> current =
        c.Run("SELECT run_id FROM current_executions WHERE namespace_id = ? AND workflow_id = ? FOR UPDATE",
              {state.namespace_id(), state.workflow_id()});
    if (!current.ok()) return current.status();
    std::string current_run = current->rows() == 0 ? "" : current->Bytes(0, 0);
    if (current_run != update.expected_current_run_id) {
      return errors::ConditionFailed(absl::StrCat("workflow ", state.workflow_id(), " has another current run"));
    }
    // A concurrent first run of the same id collides on the key: AlreadyExists,
    // which Commit reports as a failed condition.
    absl::StatusOr<Result> written =
        current->rows() == 0
            ? c.Run("INSERT INTO current_executions (namespace_id, workflow_id, run_id) VALUES (?, ?, ?)",
                    {state.namespace_id(), state.workflow_id(), state.run_id()})
            : c.Run("UPDATE current_executions SET run_id = ? WHERE namespace_id = ? AND workflow_id = ?",
                    {state.run_id(), state.namespace_id(), state.workflow_id()});
    return written.status();
  }

  absl::Status ApplyDeletion(Connection& c, const ExecutionDeletion& deletion) {
    absl::StatusOr<Result> dropped =
        c.Run("DELETE FROM executions WHERE namespace_id = ? AND workflow_id = ? AND run_id = ? AND db_version = ?",
              {deletion.namespace_id, deletion.workflow_id, deletion.run_id, deletion.expected_db_version});
    if (!dropped.ok()) return dropped.status();
    if (dropped->affected_rows != 1) {
      return errors::ConditionFailed(absl::StrCat("workflow ", deletion.workflow_id, " changed concurrently"));
    }
    for (const char* sql : {"DELETE FROM history_events WHERE namespace_id = ? AND workflow_id = ? AND run_id = ?",
                            "DELETE FROM current_executions WHERE namespace_id = ? AND workflow_id = ? AND run_id = ?"}) {
      absl::StatusOr<Result> r = c.Run(sql, {deletion.namespace_id, deletion.workflow_id, deletion.run_id});
      if (!r.ok()) return r.status();
    }
    return absl::OkStatus();
  }

  ConnectionPool& pool_;
  const Dialect dialect_;
};

}  // namespace

std::unique_ptr<ExecutionStore> NewExecutionStore(ConnectionPool& pool, Dialect dialect) {
  return std::make_unique<SqlExecutionStore>(pool, dialect);
}

}  // namespace zaman::persistence::sql

#include "persistence/sqlite/sqlite_execution_store.h"
#include "persistence/task_page_sql.h"

#include <google/protobuf/util/time_util.h>
#include <sqlite3.h>

#include "absl/strings/str_cat.h"
#include "common/errors.h"

namespace zaman::persistence::sqlite {
namespace {

using ::google::protobuf::util::TimeUtil;

void BindBlob(SQLite::Statement& statement, int index, const std::string& blob) {
  statement.bind(index, blob.data(), static_cast<int>(blob.size()));
}

template <typename Message>
absl::StatusOr<Message> ParseColumn(const SQLite::Column& column, absl::string_view what) {
  Message message;
  if (!message.ParseFromArray(column.getBlob(), column.getBytes())) {
    return errors::Internal(absl::StrCat("a stored ", what, " does not parse"));
  }
  return message;
}

class SqliteExecutionStore final : public ExecutionStore {
 public:
  SqliteExecutionStore(Database& db, VisibilityRows* visibility) : db_(db), visibility_(visibility) {}

  bool WritesVisibility() const override { return visibility_ != nullptr; }

  absl::StatusOr<int64_t> AcquireShard(int32_t shard_id) override {
    int64_t range_id = 0;
    absl::Status status = db_.Write("acquire shard", [&](SQLite::Database&) -> absl::Status {
      try {
        PreparedStatement insert_prepared =
            db_.Prepare("INSERT OR IGNORE INTO shards (shard_id, range_id) VALUES (?, 0)");
        SQLite::Statement& insert = *insert_prepared;
        insert.bind(1, shard_id);
        insert.exec();
        PreparedStatement bump_prepared = db_.Prepare("UPDATE shards SET range_id = range_id + 1 WHERE shard_id = ?");
        SQLite::Statement& bump = *bump_prepared;
        bump.bind(1, shard_id);
        bump.exec();
        PreparedStatement read_prepared = db_.Prepare("SELECT range_id FROM shards WHERE shard_id = ?");
        SQLite::Statement& read = *read_prepared;
        read.bind(1, shard_id);
        read.executeStep();
        range_id = read.getColumn(0).getInt64();
        return absl::OkStatus();
      } catch (const SQLite::Exception& e) {
        return FromException(e, absl::StrCat("acquire shard ", shard_id));
      }
    });
    if (!status.ok()) return status;
    return range_id;
  }

  absl::Status Commit(int32_t shard_id, int64_t range_id, const ShardTransaction& tx) override {
    return db_.Write("commit shard", [&](SQLite::Database& db) -> absl::Status {
      try {
        // Fencing: the shard must still be ours.
        PreparedStatement fence_prepared = db_.Prepare("SELECT range_id FROM shards WHERE shard_id = ?");
        SQLite::Statement& fence = *fence_prepared;
        fence.bind(1, shard_id);
        if (!fence.executeStep() || fence.getColumn(0).getInt64() != range_id) {
          return errors::ShardOwnershipLost(absl::StrCat("shard ", shard_id, " is owned elsewhere now"));
        }
        for (const ExecutionUpdate& update : tx.updates) {
          if (absl::Status s = ApplyUpdate(db, shard_id, update); !s.ok()) return s;
        }
        for (const ExecutionDeletion& deletion : tx.deletions) {
          if (absl::Status s = ApplyDeletion(db, deletion); !s.ok()) return s;
        }
        for (const TransferTask& task : tx.new_transfer_tasks) {
          PreparedStatement insert_prepared =
              db_.Prepare("INSERT INTO transfer_tasks (shard_id, task_id, task) VALUES (?, ?, ?)");
          SQLite::Statement& insert = *insert_prepared;
          insert.bind(1, shard_id);
          insert.bind(2, static_cast<int64_t>(task.task_id()));
          BindBlob(insert, 3, task.SerializeAsString());
          insert.exec();
        }
        for (const TimerTask& task : tx.new_timer_tasks) {
          PreparedStatement insert_prepared =
              db_.Prepare("INSERT INTO timer_tasks (shard_id, task_id, fire_time_ms, task) VALUES (?, ?, ?, ?)");
          SQLite::Statement& insert = *insert_prepared;
          insert.bind(1, shard_id);
          insert.bind(2, static_cast<int64_t>(task.task_id()));
          insert.bind(3, static_cast<int64_t>(TimeUtil::TimestampToMilliseconds(task.fire_time())));
          BindBlob(insert, 4, task.SerializeAsString());
          insert.exec();
        }
        for (int64_t task_id : tx.done_transfer_tasks) {
          PreparedStatement del_prepared = db_.Prepare("DELETE FROM transfer_tasks WHERE shard_id = ? AND task_id = ?");
          SQLite::Statement& del = *del_prepared;
          del.bind(1, shard_id);
          del.bind(2, static_cast<int64_t>(task_id));
          del.exec();
        }
        if (visibility_ != nullptr) {
          for (const ExecutionDeletion& deletion : tx.deletions) {
            visibility_->Delete(db, deletion.namespace_id, deletion.run_id);
          }
          for (const VisibilityRecord& record : tx.visibility) visibility_->Upsert(db, record);
          if (!tx.visibility.empty()) visibility_->AfterUpserts(db);
        }
        for (int64_t task_id : tx.done_timer_tasks) {
          PreparedStatement del_prepared = db_.Prepare("DELETE FROM timer_tasks WHERE shard_id = ? AND task_id = ?");
          SQLite::Statement& del = *del_prepared;
          del.bind(1, shard_id);
          del.bind(2, static_cast<int64_t>(task_id));
          del.exec();
        }
        return absl::OkStatus();
      } catch (const SQLite::Exception& e) {
        // A unique key hit means another writer got there first (a run id or
        // an event id already written): a lost race, not a fault.
        if ((e.getErrorCode() & 0xFF) == SQLITE_CONSTRAINT) {
          return errors::ConditionFailed(absl::StrCat("commit shard ", shard_id, ": ", e.what()));
        }
        return FromException(e, absl::StrCat("commit shard ", shard_id));
      }
    });
  }

  absl::StatusOr<ExecutionRecord> GetExecution(absl::string_view namespace_id, absl::string_view workflow_id,
                                               absl::string_view run_id) override {
    return db_.With([&](SQLite::Database& db) -> absl::StatusOr<ExecutionRecord> {
      try {
        PreparedStatement query_prepared = db_.Prepare("SELECT db_version, state FROM executions "
                                "WHERE namespace_id = ? AND workflow_id = ? AND run_id = ?");
        SQLite::Statement& query = *query_prepared;
        query.bind(1, std::string(namespace_id));
        query.bind(2, std::string(workflow_id));
        query.bind(3, std::string(run_id));
        if (!query.executeStep()) {
          return absl::NotFoundError(absl::StrCat("workflow ", workflow_id, " run ", run_id));
        }
        ExecutionRecord record;
        record.db_version = query.getColumn(0).getInt64();
        auto state = ParseColumn<MutableState>(query.getColumn(1), "mutable state");
        if (!state.ok()) return state.status();
        record.state = *std::move(state);
        return record;
      } catch (const SQLite::Exception& e) {
        return FromException(e, "get execution");
      }
    });
  }

  absl::StatusOr<std::string> GetCurrentRunId(absl::string_view namespace_id,
                                              absl::string_view workflow_id) override {
    return db_.With([&](SQLite::Database& db) -> absl::StatusOr<std::string> {
      try {
        PreparedStatement query_prepared =
            db_.Prepare("SELECT run_id FROM current_executions WHERE namespace_id = ? AND workflow_id = ?");
        SQLite::Statement& query = *query_prepared;
        query.bind(1, std::string(namespace_id));
        query.bind(2, std::string(workflow_id));
        if (!query.executeStep()) return absl::NotFoundError(absl::StrCat("workflow ", workflow_id));
        return query.getColumn(0).getString();
      } catch (const SQLite::Exception& e) {
        return FromException(e, "get current run");
      }
    });
  }

  absl::StatusOr<std::vector<HistoryEvent>> ReadHistory(absl::string_view namespace_id,
                                                        absl::string_view workflow_id,
                                                        absl::string_view run_id, int64_t from_event_id,
                                                        int64_t to_event_id, int max_events) override {
    return db_.With([&](SQLite::Database& db) -> absl::StatusOr<std::vector<HistoryEvent>> {
      try {
        PreparedStatement query_prepared =
            db_.Prepare("SELECT event FROM history_events WHERE namespace_id = ? AND workflow_id = ? "
                                "AND run_id = ? AND event_id >= ? AND event_id < ? ORDER BY event_id LIMIT ?");
        SQLite::Statement& query = *query_prepared;
        query.bind(1, std::string(namespace_id));
        query.bind(2, std::string(workflow_id));
        query.bind(3, std::string(run_id));
        query.bind(4, static_cast<int64_t>(from_event_id));
        query.bind(5, static_cast<int64_t>(to_event_id));
        query.bind(6, max_events);
        std::vector<HistoryEvent> events;
        while (query.executeStep()) {
          auto event = ParseColumn<HistoryEvent>(query.getColumn(0), "history event");
          if (!event.ok()) return event.status();
          events.push_back(*std::move(event));
        }
        return events;
      } catch (const SQLite::Exception& e) {
        return FromException(e, "read history");
      }
    });
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
  template <typename Task>
  absl::StatusOr<std::vector<Task>> LoadTasks(const char* sql, std::initializer_list<int64_t> params) {
    return db_.With([&](SQLite::Database& db) -> absl::StatusOr<std::vector<Task>> {
      try {
        PreparedStatement query_prepared = db_.Prepare(sql);
        SQLite::Statement& query = *query_prepared;
        int index = 1;
        for (int64_t param : params) query.bind(index++, param);
        std::vector<Task> tasks;
        while (query.executeStep()) {
          auto task = ParseColumn<Task>(query.getColumn(0), "task");
          if (!task.ok()) return task.status();
          tasks.push_back(*std::move(task));
        }
        return tasks;
      } catch (const SQLite::Exception& e) {
        return FromException(e, "load tasks");
      }
    });
  }

  absl::Status ApplyDeletion(SQLite::Database& db, const ExecutionDeletion& deletion) {
    PreparedStatement drop_prepared = db_.Prepare(
        "DELETE FROM executions WHERE namespace_id = ? AND workflow_id = ? AND run_id = ? AND db_version = ?");
    SQLite::Statement& drop = *drop_prepared;
    drop.bind(1, deletion.namespace_id);
    drop.bind(2, deletion.workflow_id);
    drop.bind(3, deletion.run_id);
    drop.bind(4, static_cast<int64_t>(deletion.expected_db_version));
    if (drop.exec() != 1) {
      return errors::ConditionFailed(absl::StrCat("workflow ", deletion.workflow_id, " changed concurrently"));
    }
    for (const char* sql : {"DELETE FROM history_events WHERE namespace_id = ? AND workflow_id = ? AND run_id = ?",
                            "DELETE FROM current_executions WHERE namespace_id = ? AND workflow_id = ? AND run_id = ?"}) {
      PreparedStatement statement_prepared = db_.Prepare(sql);
      SQLite::Statement& statement = *statement_prepared;
      statement.bind(1, deletion.namespace_id);
      statement.bind(2, deletion.workflow_id);
      statement.bind(3, deletion.run_id);
      statement.exec();
    }
    return absl::OkStatus();
  }

  absl::Status ApplyUpdate(SQLite::Database& db, int32_t shard_id, const ExecutionUpdate& update) {
    const MutableState& state = update.state;
    std::string blob = state.SerializeAsString();
    if (update.expected_db_version == 0) {
      PreparedStatement insert_prepared =
          db_.Prepare("INSERT INTO executions (namespace_id, workflow_id, run_id, shard_id, "
                               "db_version, state) VALUES (?, ?, ?, ?, 1, ?)");
      SQLite::Statement& insert = *insert_prepared;
      insert.bind(1, state.namespace_id());
      insert.bind(2, state.workflow_id());
      insert.bind(3, state.run_id());
      insert.bind(4, shard_id);
      BindBlob(insert, 5, blob);
      insert.exec();
    } else {
      PreparedStatement write_prepared = db_.Prepare("UPDATE executions SET db_version = db_version + 1, state = ? "
                              "WHERE namespace_id = ? AND workflow_id = ? AND run_id = ? AND db_version = ?");
      SQLite::Statement& write = *write_prepared;
      BindBlob(write, 1, blob);
      write.bind(2, state.namespace_id());
      write.bind(3, state.workflow_id());
      write.bind(4, state.run_id());
      write.bind(5, static_cast<int64_t>(update.expected_db_version));
      if (write.exec() != 1) {
        return errors::ConditionFailed(absl::StrCat("workflow ", state.workflow_id(), " changed concurrently"));
      }
    }
    if (update.set_current) {
      PreparedStatement current_prepared =
          db_.Prepare("SELECT run_id FROM current_executions WHERE namespace_id = ? AND workflow_id = ?");
      SQLite::Statement& current = *current_prepared;
      current.bind(1, state.namespace_id());
      current.bind(2, state.workflow_id());
      std::string current_run = current.executeStep() ? current.getColumn(0).getString() : "";
      if (current_run != update.expected_current_run_id) {
        return errors::ConditionFailed(absl::StrCat("workflow ", state.workflow_id(), " has another current run"));
      }
      PreparedStatement upsert_prepared =
          db_.Prepare("INSERT INTO current_executions (namespace_id, workflow_id, run_id) VALUES (?, ?, ?) "
                               "ON CONFLICT (namespace_id, workflow_id) DO UPDATE SET run_id = excluded.run_id");
      SQLite::Statement& upsert = *upsert_prepared;
      upsert.bind(1, state.namespace_id());
      upsert.bind(2, state.workflow_id());
      upsert.bind(3, state.run_id());
      upsert.exec();
    }
    for (const HistoryEvent& event : update.events) {
      // A plain INSERT: an event id already written is a constraint error,
      // so history can never be rewritten.
      PreparedStatement insert_prepared =
          db_.Prepare("INSERT INTO history_events (namespace_id, workflow_id, run_id, event_id, event) "
                               "VALUES (?, ?, ?, ?, ?)");
      SQLite::Statement& insert = *insert_prepared;
      insert.bind(1, state.namespace_id());
      insert.bind(2, state.workflow_id());
      insert.bind(3, state.run_id());
      insert.bind(4, static_cast<int64_t>(event.event_id()));
      BindBlob(insert, 5, event.SerializeAsString());
      insert.exec();
    }
    return absl::OkStatus();
  }

  Database& db_;
  VisibilityRows* visibility_;  // null: visibility is written from the outbox
};

}  // namespace

std::unique_ptr<ExecutionStore> NewExecutionStore(Database& db, VisibilityRows* visibility) {
  return std::make_unique<SqliteExecutionStore>(db, visibility);
}

}  // namespace zaman::persistence::sqlite

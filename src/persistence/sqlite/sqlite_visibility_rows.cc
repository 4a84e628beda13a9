#include "persistence/sqlite/sqlite_visibility_rows.h"

#include <algorithm>
#include <cstdlib>
#include <limits>
#include <optional>
#include <string>

#include <google/protobuf/util/time_util.h>
#include <spdlog/spdlog.h>

#include "absl/strings/str_cat.h"
#include "visibility/search_attributes.h"

namespace zaman::persistence::sqlite {
namespace {

using google::protobuf::util::TimeUtil;
using visibility::IndexValue;

constexpr int64_t kOpen = std::numeric_limits<int64_t>::max();

int64_t Nanos(const google::protobuf::Timestamp& t) { return TimeUtil::TimestampToNanoseconds(t); }

// The planner picks indexes by the statistics ANALYZE leaves in
// sqlite_stat1; without them it walks the default-order index for a filter
// on one workflow id (seconds at a million runs instead of microseconds).
// They are refreshed, sampled, whenever the table has doubled since.
constexpr int64_t kFirstAnalyzeAt = 1000;
constexpr int kAnalysisRowLimit = 2000;

// What a run's row says that changes over its life, bound from `first` on:
// status, close_time, sort_close, execution_duration, history_length,
// history_size_bytes, version, info. Returns the next placeholder.
int BindChanging(SQLite::Statement& statement, int first, const VisibilityRecord& record) {
  const WorkflowExecutionInfo& info = record.info();
  int i = first;
  statement.bind(i++, static_cast<int>(info.status()));
  const bool closed = info.has_close_time();
  if (closed) {
    statement.bind(i++, Nanos(info.close_time()));
  } else {
    statement.bind(i++);
  }
  statement.bind(i++, closed ? Nanos(info.close_time()) : kOpen);
  if (closed) {
    statement.bind(i++, TimeUtil::DurationToNanoseconds(info.execution_duration()));
  } else {
    statement.bind(i++);
  }
  statement.bind(i++, info.history_length());
  statement.bind(i++, info.history_size_bytes());
  statement.bind(i++, record.version());
  std::string blob = info.SerializeAsString();
  statement.bind(i++, blob.data(), static_cast<int>(blob.size()));
  return i;
}

}  // namespace

void BindValues(const std::vector<IndexValue>& params, SQLite::Statement& statement) {
  int i = 1;
  for (const IndexValue& v : params) {
    if (const auto* n = std::get_if<int64_t>(&v)) {
      statement.bind(i++, *n);
    } else if (const auto* d = std::get_if<double>(&v)) {
      statement.bind(i++, *d);
    } else {
      statement.bind(i++, std::get<std::string>(v));
    }
  }
}

VisibilityRows::VisibilityRows(Database& db) : db_(db) {
  db_.With([&](SQLite::Database& connection) {
    try {
      // The statistics persist in the file: start from the row count they
      // were taken at, and analyze now only a table that has none yet.
      std::optional<SQLite::Statement> stat;
      if (connection.tableExists("sqlite_stat1")) {
        stat.emplace(connection, "SELECT stat FROM sqlite_stat1 WHERE tbl = 'visibility' LIMIT 1");
      }
      if (stat && stat->executeStep()) {
        rows_at_analyze_ = std::atoll(stat->getColumn(0).getString().c_str());
      } else if (connection.execAndGet("SELECT EXISTS (SELECT 1 FROM visibility)").getInt() != 0) {
        rows_at_analyze_ = connection.execAndGet("SELECT COUNT(*) FROM visibility").getInt64();
        Analyze(connection);
      }
    } catch (const SQLite::Exception& e) {
      // Statistics are an optimisation: queries still answer without them.
      spdlog::warn("{}", FromException(e, "analyze visibility").ToString());
    }
  });
}

void VisibilityRows::Upsert(SQLite::Database& /*db*/, const VisibilityRecord& record) {
  const WorkflowExecutionInfo& info = record.info();
  const std::string& run_id = info.execution().run_id();
  PreparedStatement current_prepared = db_.Prepare("SELECT version FROM visibility WHERE namespace_id = ? AND run_id = ?");
  SQLite::Statement& current = *current_prepared;
  current.bind(1, record.namespace_id());
  current.bind(2, run_id);
  const bool exists = current.executeStep();
  if (exists && current.getColumn(0).getInt64() > record.version()) return;  // stale
  current.reset();
  ++upserts_since_analyze_;
  if (exists) {
    // Only what changes over a run's life, so that the indexes on the rest
    // (its id, type, start) are left as they are.
    PreparedStatement update_prepared = db_.Prepare(
        "UPDATE visibility SET status = ?, close_time = ?, sort_close = ?, execution_duration = ?,"
        " history_length = ?, history_size_bytes = ?, version = ?, info = ?,"
        " task_queue = ?, execution_time = ? WHERE namespace_id = ? AND run_id = ?");
    SQLite::Statement& update = *update_prepared;
    int i = BindChanging(update, 1, record);
    update.bind(i++, info.task_queue());
    update.bind(i++, Nanos(info.has_execution_time() ? info.execution_time() : info.start_time()));
    update.bind(i++, record.namespace_id());
    update.bind(i++, run_id);
    update.exec();
  } else {
    PreparedStatement insert_prepared = db_.Prepare(
        "INSERT INTO visibility (status, close_time, sort_close, execution_duration, history_length,"
        " history_size_bytes, version, info, namespace_id, run_id, workflow_id, workflow_type, task_queue,"
        " start_time, execution_time, parent_workflow_id, parent_run_id, root_workflow_id, root_run_id)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    SQLite::Statement& insert = *insert_prepared;
    int i = BindChanging(insert, 1, record);
    insert.bind(i++, record.namespace_id());
    insert.bind(i++, run_id);
    insert.bind(i++, info.execution().workflow_id());
    insert.bind(i++, info.type().name());
    insert.bind(i++, info.task_queue());
    insert.bind(i++, Nanos(info.start_time()));
    insert.bind(i++, Nanos(info.has_execution_time() ? info.execution_time() : info.start_time()));
    auto optional_text = [&](const std::string& s) {
      if (s.empty()) {
        insert.bind(i++);
      } else {
        insert.bind(i++, s);
      }
    };
    optional_text(info.parent_execution().workflow_id());
    optional_text(info.parent_execution().run_id());
    optional_text(info.root_execution().workflow_id());
    optional_text(info.root_execution().run_id());
    insert.exec();
  }

  if (exists) {
    PreparedStatement clear_prepared =
        db_.Prepare("DELETE FROM visibility_search_attributes WHERE namespace_id = ? AND run_id = ?");
    SQLite::Statement& clear = *clear_prepared;
    clear.bind(1, record.namespace_id());
    clear.bind(2, run_id);
    clear.exec();
  }
  PreparedStatement value_prepared = db_.Prepare(
      "INSERT INTO visibility_search_attributes (namespace_id, run_id, name, value) VALUES (?, ?, ?, ?)");
  SQLite::Statement& value = *value_prepared;
  for (const visibility::IndexedAttribute& attribute : visibility::IndexedAttributes(info.search_attributes())) {
    for (const IndexValue& v : attribute.values) {
      value.reset();
      value.clearBindings();
      BindValues({record.namespace_id(), run_id, attribute.name, v}, value);
      value.exec();
    }
  }
}

void VisibilityRows::Delete(SQLite::Database& /*db*/, absl::string_view namespace_id, absl::string_view run_id) {
  for (const char* table : {"visibility", "visibility_search_attributes"}) {
    PreparedStatement drop = db_.Prepare(absl::StrCat("DELETE FROM ", table, " WHERE namespace_id = ? AND run_id = ?"));
    (*drop).bind(1, std::string(namespace_id));
    (*drop).bind(2, std::string(run_id));
    (*drop).exec();
  }
}

void VisibilityRows::AfterUpserts(SQLite::Database& db) {
  if (upserts_since_analyze_ < std::max(kFirstAnalyzeAt, rows_at_analyze_)) return;
  try {
    rows_at_analyze_ = db.execAndGet("SELECT COUNT(*) FROM visibility").getInt64();
    Analyze(db);
  } catch (const SQLite::Exception& e) {
    spdlog::warn("{}", FromException(e, "analyze visibility").ToString());
  }
}

void VisibilityRows::Analyze(SQLite::Database& db) {
  upserts_since_analyze_ = 0;
  if (rows_at_analyze_ == 0) return;
  db.exec(absl::StrCat("PRAGMA analysis_limit = ", kAnalysisRowLimit));
  db.exec("ANALYZE visibility; ANALYZE visibility_search_attributes");
}

}  // namespace zaman::persistence::sqlite

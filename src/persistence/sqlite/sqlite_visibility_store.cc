#include "persistence/sqlite/sqlite_visibility_store.h"

#include <algorithm>
#include <cstdlib>
#include <limits>
#include <optional>

#include <google/protobuf/util/time_util.h>
#include <spdlog/spdlog.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/errors.h"
#include "persistence/visibility_sql.h"
#include "temporal/api/enums/v1/workflow.pb.h"

namespace zaman::persistence::sqlite {
namespace {

namespace enums = ::temporal::api::enums::v1;
using google::protobuf::util::TimeUtil;
using visibility::IndexValue;

// Binds `params` to the statement's placeholders, in order.
void Bind(const std::vector<IndexValue>& params, SQLite::Statement& statement) {
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

// SQLite keeps every kind of value in one untyped column, and a range is
// how a prefix match walks an index.
std::string ValueColumn(visibility::IndexedValueType) { return "value"; }
const VisibilityFlavor kFlavor{&ValueColumn, "instr(lower(s.value), lower(?)) > 0", false};

constexpr int64_t kOpen = std::numeric_limits<int64_t>::max();

int64_t Nanos(const google::protobuf::Timestamp& t) { return TimeUtil::TimestampToNanoseconds(t); }

// The planner picks indexes by the statistics ANALYZE leaves in
// sqlite_stat1; without them it walks the default-order index for a filter
// on one workflow id (seconds at a million runs instead of microseconds).
// They are refreshed, sampled, whenever the table has doubled since.
constexpr int64_t kFirstAnalyzeAt = 1000;
constexpr int kAnalysisRowLimit = 2000;

class SqliteVisibilityStore final : public VisibilityStore {
 public:
  SqliteVisibilityStore(Database& writer, Database& reader) : writer_(writer), reader_(reader) {
    writer_.With([&](SQLite::Database& db) {
      try {
        // The statistics persist in the file: start from the row count they
        // were taken at, and analyze now only a table that has none yet.
        std::optional<SQLite::Statement> stat;
        if (db.tableExists("sqlite_stat1")) {
          stat.emplace(db, "SELECT stat FROM sqlite_stat1 WHERE tbl = 'visibility' LIMIT 1");
        }
        if (stat && stat->executeStep()) {
          rows_at_analyze_ = std::atoll(stat->getColumn(0).getString().c_str());
        } else if (db.execAndGet("SELECT EXISTS (SELECT 1 FROM visibility)").getInt() != 0) {
          rows_at_analyze_ = db.execAndGet("SELECT COUNT(*) FROM visibility").getInt64();
          Analyze(db);
        }
      } catch (const SQLite::Exception& e) {
        // Statistics are an optimisation: queries still answer without them.
        spdlog::warn("{}", FromException(e, "analyze visibility").ToString());
      }
    });
  }

  absl::Status UpsertMany(const std::vector<VisibilityRecord>& records) override {
    return writer_.Write("upsert visibility records", [&](SQLite::Database& db) -> absl::Status {
      for (const VisibilityRecord& record : records) UpsertOne(db, record);
      upserts_since_analyze_ += static_cast<int64_t>(records.size());
      if (upserts_since_analyze_ >= std::max(kFirstAnalyzeAt, rows_at_analyze_)) {
        try {
          rows_at_analyze_ = db.execAndGet("SELECT COUNT(*) FROM visibility").getInt64();
          Analyze(db);
        } catch (const SQLite::Exception& e) {
          spdlog::warn("{}", FromException(e, "analyze visibility").ToString());
        }
      }
      return absl::OkStatus();
    });
  }

  void Analyze(SQLite::Database& db) {
    upserts_since_analyze_ = 0;
    if (rows_at_analyze_ == 0) return;
    db.exec(absl::StrCat("PRAGMA analysis_limit = ", kAnalysisRowLimit));
    db.exec("ANALYZE visibility; ANALYZE visibility_search_attributes");
  }

  // Inside the caller's transaction.
  void UpsertOne(SQLite::Database& db, const VisibilityRecord& record) {
    const WorkflowExecutionInfo& info = record.info();
    PreparedStatement current_prepared =
        writer_.Prepare("SELECT version FROM visibility WHERE namespace_id = ? AND run_id = ?");
    SQLite::Statement& current = *current_prepared;
    current.bind(1, record.namespace_id());
    current.bind(2, info.execution().run_id());
    if (current.executeStep()) {
      if (current.getColumn(0).getInt64() > record.version()) return;  // stale
      PreparedStatement drop_prepared =
          writer_.Prepare("DELETE FROM visibility WHERE namespace_id = ? AND run_id = ?");
      SQLite::Statement& drop = *drop_prepared;
      drop.bind(1, record.namespace_id());
      drop.bind(2, info.execution().run_id());
      drop.exec();
    }
    current.reset();
    PreparedStatement insert_prepared =
        writer_.Prepare("INSERT INTO visibility (namespace_id, run_id, workflow_id, workflow_type, task_queue, status,"
            " start_time, execution_time, close_time, sort_close, execution_duration, history_length,"
            " history_size_bytes, parent_workflow_id, parent_run_id, root_workflow_id, root_run_id, version, info)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    SQLite::Statement& insert = *insert_prepared;
    int i = 1;
    insert.bind(i++, record.namespace_id());
    insert.bind(i++, info.execution().run_id());
    insert.bind(i++, info.execution().workflow_id());
    insert.bind(i++, info.type().name());
    insert.bind(i++, info.task_queue());
    insert.bind(i++, static_cast<int>(info.status()));
    insert.bind(i++, Nanos(info.start_time()));
    insert.bind(i++, Nanos(info.has_execution_time() ? info.execution_time() : info.start_time()));
    const bool closed = info.has_close_time();
    if (closed) insert.bind(i++, Nanos(info.close_time())); else insert.bind(i++);
    insert.bind(i++, closed ? Nanos(info.close_time()) : kOpen);
    if (closed) insert.bind(i++, TimeUtil::DurationToNanoseconds(info.execution_duration())); else insert.bind(i++);
    insert.bind(i++, info.history_length());
    insert.bind(i++, info.history_size_bytes());
    auto optional_text = [&](const std::string& s) {
      if (s.empty()) insert.bind(i++); else insert.bind(i++, s);
    };
    optional_text(info.parent_execution().workflow_id());
    optional_text(info.parent_execution().run_id());
    optional_text(info.root_execution().workflow_id());
    optional_text(info.root_execution().run_id());
    insert.bind(i++, record.version());
    std::string blob = info.SerializeAsString();
    insert.bind(i++, blob.data(), static_cast<int>(blob.size()));
    insert.exec();

    PreparedStatement clear_prepared =
        writer_.Prepare("DELETE FROM visibility_search_attributes WHERE namespace_id = ? AND run_id = ?");
    SQLite::Statement& clear = *clear_prepared;
    clear.bind(1, record.namespace_id());
    clear.bind(2, info.execution().run_id());
    clear.exec();
    PreparedStatement value_prepared =
        writer_.Prepare("INSERT INTO visibility_search_attributes (namespace_id, run_id, name, value) VALUES (?, ?, ?, ?)");
    SQLite::Statement& value = *value_prepared;
    for (const auto& [name, payload] : info.search_attributes().indexed_fields()) {
      auto type_name = payload.metadata().find("type");
      if (type_name == payload.metadata().end()) continue;  // unstamped: not indexed
      std::optional<visibility::IndexedValueType> type = visibility::TypeFromName(type_name->second);
      if (!type) continue;
      absl::StatusOr<std::vector<IndexValue>> values = visibility::DecodeValues(payload, *type);
      if (!values.ok()) continue;
      for (const IndexValue& v : *values) {
        value.reset();
        value.clearBindings();
        Bind({record.namespace_id(), info.execution().run_id(), name, v}, value);
        value.exec();
      }
    }
  }

  absl::Status Delete(absl::string_view namespace_id, absl::string_view run_id) override {
    return writer_.Write("delete visibility record", [&](SQLite::Database& db) -> absl::Status {
      try {
        for (const char* table : {"visibility", "visibility_search_attributes"}) {
          SQLite::Statement drop(db, absl::StrCat("DELETE FROM ", table, " WHERE namespace_id = ? AND run_id = ?"));
          drop.bind(1, std::string(namespace_id));
          drop.bind(2, std::string(run_id));
          drop.exec();
        }
        return absl::OkStatus();
      } catch (const SQLite::Exception& e) {
        return FromException(e, "delete visibility record");
      }
    });
  }

  absl::StatusOr<VisibilityPage> List(absl::string_view namespace_id, const visibility::Query& query,
                                      absl::string_view query_text, int page_size,
                                      absl::string_view page_token) override {
    const std::vector<SortKey> keys = VisibilitySortKeys(query);
    absl::StatusOr<SqlText> page_query =
        VisibilityPageQuery(namespace_id, query, query_text, page_size, page_token, keys, kFlavor);
    if (!page_query.ok()) return page_query.status();
    const SqlText& sql = *page_query;
    return reader_.With([&](SQLite::Database& db) -> absl::StatusOr<VisibilityPage> {
      try {
        SQLite::Statement statement(db, sql.text);
        Bind(sql.params, statement);
        VisibilityPage page;
        v1::VisibilityPageToken next;
        while (statement.executeStep()) {
          if (static_cast<int>(page.executions.size()) == page_size) {
            next.set_query(std::string(query_text));
            page.next_page_token = next.SerializeAsString();
            break;
          }
          SQLite::Column blob = statement.getColumn(0);
          WorkflowExecutionInfo& info = page.executions.emplace_back();
          if (!info.ParseFromArray(blob.getBlob(), blob.getBytes())) {
            return errors::Internal("a stored visibility record does not parse");
          }
          next.clear_keys();
          for (size_t k = 0; k + 1 < keys.size(); ++k) {
            SQLite::Column c = statement.getColumn(static_cast<int>(k) + 1);
            if (c.isInteger()) next.add_keys()->set_int_value(c.getInt64()); else next.add_keys()->set_string_value(c.getString());
          }
          next.set_run_id(info.execution().run_id());
        }
        return page;
      } catch (const SQLite::Exception& e) {
        return FromException(e, "list workflow executions");
      }
    });
  }

  absl::StatusOr<VisibilityCount> Count(absl::string_view namespace_id, const visibility::Query& query) override {
    SqlText sql = VisibilityWhere(namespace_id, query, kFlavor);
    const bool grouped = !query.group_by.empty();
    std::string text = grouped ? absl::StrCat("SELECT v.status, COUNT(*) FROM visibility v WHERE ", sql.text,
                                              " GROUP BY v.status ORDER BY v.status")
                               : absl::StrCat("SELECT COUNT(*) FROM visibility v WHERE ", sql.text);
    return reader_.With([&](SQLite::Database& db) -> absl::StatusOr<VisibilityCount> {
      try {
        SQLite::Statement statement(db, text);
        Bind(sql.params, statement);
        VisibilityCount count;
        while (statement.executeStep()) {
          if (grouped) {
            int64_t n = statement.getColumn(1).getInt64();
            count.by_status.emplace_back(statement.getColumn(0).getInt(), n);
            count.count += n;
          } else {
            count.count = statement.getColumn(0).getInt64();
          }
        }
        return count;
      } catch (const SQLite::Exception& e) {
        return FromException(e, "count workflow executions");
      }
    });
  }

 private:
  // Writes go with the workflow writes of the main connection (one group
  // commit, one sync); lists and counts read on a connection of their own.
  Database& writer_;
  Database& reader_;
  // Under writer_'s lock.
  int64_t rows_at_analyze_ = 0;
  int64_t upserts_since_analyze_ = 0;
};

}  // namespace

std::unique_ptr<VisibilityStore> NewVisibilityStore(Database& writer, Database& reader) {
  return std::make_unique<SqliteVisibilityStore>(writer, reader);
}

}  // namespace zaman::persistence::sqlite

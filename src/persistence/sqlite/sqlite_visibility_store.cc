#include "persistence/sqlite/sqlite_visibility_store.h"


#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "persistence/sqlite/sqlite_visibility_rows.h"
#include "persistence/visibility_sql.h"

namespace zaman::persistence::sqlite {
namespace {


// SQLite keeps every kind of value in one untyped column, and a range is
// how a prefix match walks an index.
std::string ValueColumn(visibility::IndexedValueType) { return "value"; }
const VisibilityFlavor kFlavor{&ValueColumn, "instr(lower(s.value), lower(?)) > 0", false};

class SqliteVisibilityStore final : public VisibilityStore {
 public:
  SqliteVisibilityStore(Database& writer, VisibilityRows& rows, Database& reader)
      : writer_(writer), rows_(rows), reader_(reader) {}

  absl::Status UpsertMany(const std::vector<VisibilityRecord>& records) override {
    return writer_.Write("upsert visibility records", [&](SQLite::Database& db) -> absl::Status {
      for (const VisibilityRecord& record : records) rows_.Upsert(db, record);
      rows_.AfterUpserts(db);
      return absl::OkStatus();
    });
  }

  absl::Status Delete(absl::string_view namespace_id, absl::string_view run_id) override {
    return writer_.Write("delete visibility record", [&](SQLite::Database& db) -> absl::Status {
      rows_.Delete(db, namespace_id, run_id);
      return absl::OkStatus();
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
        BindValues(sql.params, statement);
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
        BindValues(sql.params, statement);
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
  VisibilityRows& rows_;
  Database& reader_;
};

}  // namespace

std::unique_ptr<VisibilityStore> NewVisibilityStore(Database& writer, VisibilityRows& rows, Database& reader) {
  return std::make_unique<SqliteVisibilityStore>(writer, rows, reader);
}

}  // namespace zaman::persistence::sqlite

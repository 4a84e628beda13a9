#pragma once

// Internal to the SQLite backend: the rows behind visibility, written inside
// a Database::Write by the visibility store (its own upserts and deletes) and
// by the execution store, which keeps a run's row in the same transaction as
// the run itself (ExecutionStore::WritesVisibility).

#include <cstdint>
#include <vector>

#include <SQLiteCpp/SQLiteCpp.h>

#include "absl/strings/string_view.h"
#include "persistence/sqlite/sqlite_database.h"
#include "persistence/visibility_store.h"
#include "visibility/query.h"

namespace zaman::persistence::sqlite {

// Binds `params` to the statement's placeholders, in order.
void BindValues(const std::vector<visibility::IndexValue>& params, SQLite::Statement& statement);

class VisibilityRows {
 public:
  // Reads the statistics' row count (and analyzes a table that has none).
  explicit VisibilityRows(Database& db);

  // Inside db's Write: the run's row as `record` has it, unless the row
  // holds a later version already; its search attributes with it.
  void Upsert(SQLite::Database& db, const VisibilityRecord& record);
  // Inside db's Write: the run's row and its search attributes are gone.
  void Delete(SQLite::Database& db, absl::string_view namespace_id, absl::string_view run_id);
  // Inside db's Write, after upserts: refreshes the planner's statistics
  // whenever the table has doubled since they were taken.
  void AfterUpserts(SQLite::Database& db);

 private:
  void Analyze(SQLite::Database& db);

  Database& db_;
  // Under db_'s lock.
  int64_t rows_at_analyze_ = 0;
  int64_t upserts_since_analyze_ = 0;
};

}  // namespace zaman::persistence::sqlite

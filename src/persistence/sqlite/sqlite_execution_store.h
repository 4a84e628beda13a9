#pragma once

#include <memory>

#include "persistence/execution_store.h"
#include "persistence/sqlite/sqlite_database.h"
#include "persistence/sqlite/sqlite_visibility_rows.h"

namespace zaman::persistence::sqlite {

// The SQLite ExecutionStore; `db` and `visibility` must outlive it. With
// `visibility`, a commit writes the runs' visibility rows too
// (ExecutionStore::WritesVisibility).
std::unique_ptr<ExecutionStore> NewExecutionStore(Database& db, VisibilityRows* visibility);

}  // namespace zaman::persistence::sqlite

#pragma once

#include <memory>

#include "persistence/execution_store.h"
#include "persistence/sqlite/sqlite_database.h"

namespace zaman::persistence::sqlite {

// The SQLite ExecutionStore; `db` must outlive it.
std::unique_ptr<ExecutionStore> NewExecutionStore(Database& db);

}  // namespace zaman::persistence::sqlite

#pragma once

#include <memory>

#include "persistence/sqlite/sqlite_database.h"
#include "persistence/visibility_store.h"

namespace zaman::persistence::sqlite {

// The SQLite VisibilityStore; `db` must outlive it. Filters become SQL with
// every value bound as a parameter.
std::unique_ptr<VisibilityStore> NewVisibilityStore(Database& db);

}  // namespace zaman::persistence::sqlite

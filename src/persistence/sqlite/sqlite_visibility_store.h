#pragma once

#include <memory>

#include "persistence/sqlite/sqlite_database.h"
#include "persistence/visibility_store.h"

namespace zaman::persistence::sqlite {

// The SQLite VisibilityStore; both connections must outlive it (they may be
// one). It writes on `writer` and reads on `reader`. Filters become SQL with
// every value bound as a parameter.
std::unique_ptr<VisibilityStore> NewVisibilityStore(Database& writer, Database& reader);

}  // namespace zaman::persistence::sqlite

#pragma once

#include <memory>

#include "persistence/sqlite/sqlite_database.h"
#include "persistence/sqlite/sqlite_visibility_rows.h"
#include "persistence/visibility_store.h"

namespace zaman::persistence::sqlite {

// The SQLite VisibilityStore; what it is given must outlive it (the two
// connections may be one). It writes `rows` on `writer` and reads on
// `reader`. Filters become SQL with every value bound as a parameter.
std::unique_ptr<VisibilityStore> NewVisibilityStore(Database& writer, VisibilityRows& rows, Database& reader);

}  // namespace zaman::persistence::sqlite

#pragma once

#include <memory>

#include "persistence/job_store.h"
#include "persistence/sqlite/sqlite_database.h"

namespace zaman::persistence::sqlite {

// The SQLite JobStore; `db` must outlive it.
std::unique_ptr<JobStore> NewJobStore(Database& db);

}  // namespace zaman::persistence::sqlite

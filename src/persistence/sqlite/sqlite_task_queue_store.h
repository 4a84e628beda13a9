#pragma once

#include <memory>

#include "persistence/sqlite/sqlite_database.h"
#include "persistence/task_queue_store.h"

namespace zaman::persistence::sqlite {

// The SQLite TaskQueueStore; `db` must outlive it.
std::unique_ptr<TaskQueueStore> NewTaskQueueStore(Database& db);

}  // namespace zaman::persistence::sqlite

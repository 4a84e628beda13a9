#pragma once

#include <memory>

#include "persistence/membership_store.h"
#include "persistence/sqlite/sqlite_database.h"

namespace zaman::persistence::sqlite {

// The SQLite MembershipStore; `db` must outlive it.
std::unique_ptr<MembershipStore> NewMembershipStore(Database& db);

}  // namespace zaman::persistence::sqlite

#pragma once

#include <memory>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "persistence/store.h"

namespace zaman::persistence {

// The embedded SQLite backend (WAL, synchronous=FULL: a committed write
// survives kill -9 and power loss). Creates the schema on a new file; refuses
// a file whose schema is newer than this binary knows. Thread-safe: one
// connection, one writer at a time.
absl::StatusOr<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path);

// (applied, known) schema versions of the file at `path`; applied is 0 for
// a file that does not exist yet. Changes nothing.
absl::StatusOr<std::pair<int, int>> SqliteSchemaVersion(const std::string& path);

}  // namespace zaman::persistence

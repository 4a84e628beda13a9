#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "persistence/store.h"

namespace zaman::persistence {

// The embedded SQLite backend (WAL, synchronous=FULL: a committed write
// survives kill -9 and power loss). Creates the schema on a new file; refuses
// a file whose schema is newer than this binary knows. Thread-safe: one
// connection for workflow state, one for visibility, one for upkeep.
// Keeps the file bounded on disk as `space` says (docs/configuration.md).
absl::StatusOr<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path,
                                                       const SqliteSpaceConfig& space = {});

// Does now, in the caller's thread, what the store's upkeep thread does over
// time: free pages beyond the limit go back to the file system, then the log
// is checkpointed and truncated. For tests and benchmarks.
absl::Status CompactSqliteStore(Store& store);

// What the bounds have done since the store was opened.
struct SqliteUpkeepCounts {
  int64_t wal_truncations = 0;           // TRUNCATE checkpoints the log limit forced
  int64_t wal_truncations_held_off = 0;  // ... that readers of old snapshots put off
  int64_t vacuum_steps = 0;              // incremental_vacuum steps
};
absl::StatusOr<SqliteUpkeepCounts> SqliteUpkeepCountsOf(Store& store);

// (applied, known) schema versions of the file at `path`; applied is 0 for
// a file that does not exist yet. Changes nothing.
absl::StatusOr<std::pair<int, int>> SqliteSchemaVersion(const std::string& path);

}  // namespace zaman::persistence

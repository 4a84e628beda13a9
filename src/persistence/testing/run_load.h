#pragma once

// For tests and benchmarks: synthetic workflow runs written straight to a
// store, the way the history role and the visibility outbox write them, and
// the sizes of an SQLite file on disk.

#include <cstdint>
#include <string>

#include "persistence/store.h"

namespace zaman::persistence::testing {

// Run `i` of namespace `namespace_id`: a new current run whose state and
// each of its `events` history events carry `payload_bytes` of data (as an
// input or a result would).
ExecutionUpdate NewRun(const std::string& namespace_id, int64_t i, int events, int payload_bytes);

// Its deletion (retention's), while it is still as NewRun made it.
ExecutionDeletion DeleteRun(const std::string& namespace_id, int64_t i);

// Its visibility row, closed.
VisibilityRecord RunVisibility(const std::string& namespace_id, int64_t i);

// The size of `path`, of its write-ahead log (`path`-wal); 0 when missing.
int64_t FileBytes(const std::string& path);
int64_t WalBytes(const std::string& path);

}  // namespace zaman::persistence::testing

#pragma once

// Internal to the SQLite backend: background checkpoints and the return of
// free pages to the file system.

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "persistence/sqlite/sqlite_database.h"
#include "persistence/store.h"

namespace zaman::persistence::sqlite {

// The upkeep of one SQLite file, on a thread of its own with a connection of
// its own. Woken by Nudge() (a connection's WalLimit calls it every thousand
// log frames; there is no timer), it
//   - runs a PASSIVE checkpoint, which copies committed pages into the file
//     without blocking anyone, so that writers can restart the log;
//   - on a file with incremental auto-vacuum, when more than
//     `free_limit_bytes` of its pages are free (after retention or
//     deletions), runs `PRAGMA incremental_vacuum` on the writer connection
//     in steps of kVacuumStepPages, each its own short write transaction, so
//     workflow writes wait at most one step, until the free space is back
//     under the limit.
// Thread-safe. Destroyed before the writer connection it was given.
class Upkeep {
 public:
  static constexpr int kVacuumStepPages = 256;

  // Opens its connection to `path`; throws SQLite::Exception if it cannot.
  Upkeep(const std::string& path, Database& writer, const SqliteSpaceConfig& config);
  Upkeep(const Upkeep&) = delete;
  Upkeep& operator=(const Upkeep&) = delete;
  ~Upkeep();

  void Nudge();

  // All of it now, in the caller's thread: vacuum steps until the free space
  // is under the limit, then a TRUNCATE checkpoint (which also shrinks the
  // file by what the steps freed).
  absl::Status RunNow();

  int64_t vacuum_steps() const { return vacuum_steps_; }

 private:
  void Loop();
  // One checkpoint and the vacuum steps the free space calls for.
  absl::Status Pass(int checkpoint_mode);
  absl::Status ReclaimFreePages();

  Database& writer_;
  Database own_;
  const SqliteSpaceConfig config_;
  bool incremental_vacuum_ = false;
  int64_t page_size_ = 4096;
  std::atomic<int64_t> vacuum_steps_ = 0;

  absl::Mutex mu_;
  bool nudged_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace zaman::persistence::sqlite

#pragma once

// Internal to the SQLite backend: the bound on one file's write-ahead log.

#include <atomic>
#include <cstdint>
#include <functional>

#include <SQLiteCpp/SQLiteCpp.h>


namespace zaman::persistence::sqlite {

// Watches the commits of one connection to a WAL-mode file and keeps the log
// under `limit_bytes`. SQLite's own automatic checkpoint only copies pages
// back when no reader needs them and never shrinks the log file, so under
// steady traffic from two connections the log is rarely reset and only
// grows. Instead:
//   - every `kCheckpointEveryFrames` frames the upkeep thread is asked for a
//     PASSIVE checkpoint (`on_backlog`), which never blocks a writer or a
//     reader and lets the next writer restart the log from the beginning;
//   - when the log passes the limit, the committing thread itself runs a
//     TRUNCATE checkpoint, waiting at most a second for readers of older
//     snapshots; if they outlast it, it tries again after another quarter of
//     the limit has been written;
//   - `journal_size_limit` cuts a restarted log file back to the limit.
// Lives as long as the connection, whose commits call it on the committing
// thread (under the connection's lock), so it needs no lock of its own.
class WalLimit {
 public:
  static constexpr int kCheckpointEveryFrames = 1000;

  // Installs itself on `db` (replacing SQLite's automatic checkpoint).
  // `busy_timeout_ms` is the connection's usual wait, restored after a
  // checkpoint's shorter one.
  WalLimit(SQLite::Database& db, int64_t limit_bytes, int busy_timeout_ms, std::function<void()> on_backlog);
  WalLimit(const WalLimit&) = delete;
  WalLimit& operator=(const WalLimit&) = delete;
  ~WalLimit();

  // How many times the limit forced a TRUNCATE checkpoint, and how many of
  // those readers held off.
  int64_t truncations() const { return truncations_; }
  int64_t held_off() const { return held_off_; }

 private:
  static int OnCommit(void* self, sqlite3* db, const char* schema, int frames);
  void AfterCommit(sqlite3* db, int frames);

  SQLite::Database& db_;
  const int64_t limit_bytes_;
  const int busy_timeout_ms_;
  const std::function<void()> on_backlog_;
  int64_t page_size_ = 4096;
  int last_frames_ = 0;
  int frames_at_last_backlog_ = 0;
  int retry_at_frames_ = 0;
  std::atomic<int64_t> truncations_ = 0;
  std::atomic<int64_t> held_off_ = 0;
};

// Bytes of a log holding `frames` frames of `page_size` pages.
int64_t WalBytes(int64_t frames, int64_t page_size);

}  // namespace zaman::persistence::sqlite

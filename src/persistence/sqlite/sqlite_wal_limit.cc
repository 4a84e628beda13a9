#include "persistence/sqlite/sqlite_wal_limit.h"

#include <algorithm>
#include <string>

#include <sqlite3.h>
#include <spdlog/spdlog.h>

namespace zaman::persistence::sqlite {
namespace {

// The log's file header, and each frame's header before its page.
constexpr int64_t kWalHeaderBytes = 32;
constexpr int64_t kFrameHeaderBytes = 24;
// How long a checkpoint forced by the limit waits for readers that still
// need older pages. Readers of this store last milliseconds; one that lasts
// longer only postpones the truncation.
constexpr int kReaderWaitMs = 1000;

}  // namespace

int64_t WalBytes(int64_t frames, int64_t page_size) {
  return frames == 0 ? 0 : kWalHeaderBytes + frames * (page_size + kFrameHeaderBytes);
}

WalLimit::WalLimit(SQLite::Database& db, int64_t limit_bytes, int busy_timeout_ms,
                   std::function<void()> on_backlog)
    : db_(db), limit_bytes_(limit_bytes), busy_timeout_ms_(busy_timeout_ms), on_backlog_(std::move(on_backlog)) {
  page_size_ = db.execAndGet("PRAGMA page_size").getInt64();
  db.exec("PRAGMA journal_size_limit = " + std::to_string(limit_bytes_));
  sqlite3_wal_hook(db.getHandle(), &WalLimit::OnCommit, this);
}

WalLimit::~WalLimit() { sqlite3_wal_hook(db_.getHandle(), nullptr, nullptr); }

int WalLimit::OnCommit(void* self, sqlite3* db, const char* /*schema*/, int frames) {
  static_cast<WalLimit*>(self)->AfterCommit(db, frames);
  return SQLITE_OK;  // the commit itself has succeeded whatever happens here
}

void WalLimit::AfterCommit(sqlite3* db, int frames) {
  if (frames < last_frames_) {  // the log restarted since the last commit
    frames_at_last_backlog_ = 0;
    retry_at_frames_ = 0;
  }
  last_frames_ = frames;
  if (frames - frames_at_last_backlog_ >= kCheckpointEveryFrames) {
    frames_at_last_backlog_ = frames;
    if (on_backlog_) on_backlog_();
  }
  if (WalBytes(frames, page_size_) < limit_bytes_ || frames < retry_at_frames_) return;
  sqlite3_busy_timeout(db, kReaderWaitMs);
  int log_frames = 0;
  int copied = 0;
  const int rc = sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_TRUNCATE, &log_frames, &copied);
  sqlite3_busy_timeout(db, busy_timeout_ms_);
  if (rc == SQLITE_OK) {
    ++truncations_;
    frames_at_last_backlog_ = 0;
    retry_at_frames_ = 0;
    last_frames_ = 0;
    return;
  }
  ++held_off_;
  const int64_t quarter = limit_bytes_ / 4 / (page_size_ + kFrameHeaderBytes);
  retry_at_frames_ = frames + static_cast<int>(std::max<int64_t>(quarter, 1));
  spdlog::warn("sqlite: the write-ahead log is {} kB, over its limit of {} kB, and could not be truncated ({}): "
               "readers of older snapshots or the other connection held on; trying again after {} kB more",
               WalBytes(frames, page_size_) >> 10, limit_bytes_ >> 10, sqlite3_errstr(rc),
               WalBytes(retry_at_frames_ - frames, page_size_) >> 10);
}

}  // namespace zaman::persistence::sqlite

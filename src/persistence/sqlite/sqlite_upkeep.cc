#include "persistence/sqlite/sqlite_upkeep.h"

#include <algorithm>

#include <sqlite3.h>
#include <spdlog/spdlog.h>

#include "absl/strings/str_cat.h"

namespace zaman::persistence::sqlite {

Upkeep::Upkeep(const std::string& path, Database& writer, const SqliteSpaceConfig& config)
    : writer_(writer), own_(path), config_(config) {
  own_.With([&](SQLite::Database& db) {
    db.setBusyTimeout(5000);
    incremental_vacuum_ = db.execAndGet("PRAGMA auto_vacuum").getInt() == 2;
    page_size_ = db.execAndGet("PRAGMA page_size").getInt64();
  });
  thread_ = std::thread([this] { Loop(); });
}

Upkeep::~Upkeep() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_.join();
}

void Upkeep::Nudge() {
  absl::MutexLock lock(&mu_);
  nudged_ = true;
}

void Upkeep::Loop() {
  // The first pass, before any nudge, tidies what a file was opened with.
  while (true) {
    if (absl::Status s = Pass(SQLITE_CHECKPOINT_PASSIVE); !s.ok()) spdlog::warn("sqlite upkeep: {}", s.ToString());
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](Upkeep* self) ABSL_EXCLUSIVE_LOCKS_REQUIRED(self->mu_) { return self->nudged_ || self->stopping_; },
        this));
    if (stopping_) return;
    nudged_ = false;
  }
}

absl::Status Upkeep::RunNow() { return Pass(SQLITE_CHECKPOINT_TRUNCATE); }

absl::Status Upkeep::Pass(int checkpoint_mode) {
  absl::Status reclaimed = ReclaimFreePages();
  absl::Status checkpointed = own_.With([&](SQLite::Database& db) -> absl::Status {
    const int rc = sqlite3_wal_checkpoint_v2(db.getHandle(), nullptr, checkpoint_mode, nullptr, nullptr);
    // Busy: another checkpoint is running, or readers hold pages; the next
    // nudge tries again.
    if (rc == SQLITE_OK || rc == SQLITE_BUSY) return absl::OkStatus();
    return absl::InternalError(absl::StrCat("checkpoint: ", sqlite3_errstr(rc)));
  });
  return reclaimed.ok() ? checkpointed : reclaimed;
}

absl::Status Upkeep::ReclaimFreePages() {
  if (!incremental_vacuum_ || config_.free_limit_bytes <= 0) return absl::OkStatus();
  const int64_t keep_pages = config_.free_limit_bytes / page_size_;
  while (true) {
    int64_t free_pages = 0;
    absl::Status read = own_.Run("count free pages", [&](SQLite::Database& db) {
      free_pages = db.execAndGet("PRAGMA freelist_count").getInt64();
      return absl::OkStatus();
    });
    if (!read.ok()) return read;
    if (free_pages <= keep_pages) return absl::OkStatus();
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) return absl::OkStatus();
    }
    const int64_t step = std::min<int64_t>(kVacuumStepPages, free_pages - keep_pages);
    absl::Status vacuumed = writer_.Write("return free pages", [&](SQLite::Database& db) {
      db.exec(absl::StrCat("PRAGMA incremental_vacuum(", step, ")"));
      return absl::OkStatus();
    });
    if (!vacuumed.ok()) return vacuumed;
    ++vacuum_steps_;
  }
}

}  // namespace zaman::persistence::sqlite

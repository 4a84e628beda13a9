// The SQLite file stays bounded on disk: the write-ahead log under its limit
// while readers and a second writer work beside the history writes, and the
// space of deleted runs handed back to the file system.
#include <algorithm>
#include <atomic>
#include <filesystem>
#include <thread>

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include "persistence/sqlite/sqlite_store.h"
#include "persistence/testing/run_load.h"

namespace zaman::persistence {
namespace {

using testing::DeleteRun;
using testing::FileBytes;
using testing::NewRun;
using testing::RunVisibility;
using testing::WalBytes;

constexpr char kNamespace[] = "ns";

std::string FreshPath(const std::string& tag) {
  auto dir = std::filesystem::temp_directory_path() / ("zaman-sqlite-space-" + std::to_string(::getpid()) + tag);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return (dir / "zaman.db").string();
}

int64_t Pragma(const std::string& path, const std::string& name) {
  SQLite::Database db(path, SQLite::OPEN_READONLY);
  return db.execAndGet("PRAGMA " + name).getInt64();
}

// Writes runs [first, first + count) in transactions of `per_commit`.
void WriteRuns(Store& store, int64_t range_id, int64_t first, int64_t count, int per_commit, int payload_bytes) {
  for (int64_t i = first; i < first + count;) {
    ShardTransaction tx;
    for (int k = 0; k < per_commit && i < first + count; ++k, ++i) {
      tx.updates.push_back(NewRun(kNamespace, i, 4, payload_bytes));
    }
    absl::Status committed = store.executions().Commit(1, range_id, tx);
    ASSERT_TRUE(committed.ok()) << committed;
  }
}

TEST(SqliteSpaceTest, TheLogStaysUnderItsLimitWhileOthersReadAndWrite) {
  const std::string path = FreshPath("wal");
  constexpr int64_t kLimit = 1 << 20;
  auto store = OpenSqliteStore(path, SqliteSpaceConfig{.wal_limit_bytes = kLimit, .free_limit_bytes = 0});
  ASSERT_TRUE(store.ok()) << store.status();
  absl::StatusOr<int64_t> range = (*store)->executions().AcquireShard(1);
  ASSERT_TRUE(range.ok()) << range.status();

  // Beside the history writes, as in a server: the visibility outbox writes
  // on the second connection, and list queries read there.
  std::atomic<bool> done = false;
  std::atomic<int64_t> lists = 0;
  std::atomic<int64_t> visibility_writes = 0;
  std::thread reader([&] {
    while (!done) {
      if ((*store)->visibility().List(kNamespace, visibility::Query{}, "", 100, "").ok()) ++lists;
    }
  });
  std::thread visibility_writer([&] {
    for (int64_t i = 0; !done; ++i) {
      if ((*store)->visibility().Upsert(RunVisibility(kNamespace, i)).ok()) ++visibility_writes;
    }
  });

  // Some 150 MB of log frames: the limit many times over.
  constexpr int kCommits = 3000;
  int64_t largest_wal = 0;
  for (int64_t i = 0; i < kCommits; ++i) {
    WriteRuns(**store, *range, i, 1, 1, 1000);
    largest_wal = std::max(largest_wal, WalBytes(path));
  }
  done = true;
  reader.join();
  visibility_writer.join();

  absl::StatusOr<SqliteUpkeepCounts> counts = SqliteUpkeepCountsOf(**store);
  ASSERT_TRUE(counts.ok());
  std::printf("largest log %lld bytes (limit %lld); %lld lists, %lld visibility writes beside; "
              "%lld truncations, %lld put off\n",
              static_cast<long long>(largest_wal), static_cast<long long>(kLimit), static_cast<long long>(lists),
              static_cast<long long>(visibility_writes), static_cast<long long>(counts->wal_truncations),
              static_cast<long long>(counts->wal_truncations_held_off));
  EXPECT_GT(lists, 0);
  EXPECT_GT(visibility_writes, 0);
  // The limit, plus a quarter of it for each truncation a reader put off
  // (a reader held past the one-second wait), plus what the commits of the
  // two connections add before the next truncation.
  EXPECT_GT(counts->wal_truncations, 0);
  EXPECT_LE(largest_wal, kLimit + (counts->wal_truncations_held_off + 1) * (kLimit / 4));
  // Nothing written was lost on the way.
  EXPECT_TRUE((*store)->executions().GetExecution(kNamespace, "load-0", "run-0").ok());
  EXPECT_TRUE((*store)->executions().GetExecution(kNamespace, "load-2999", "run-2999").ok());
}

TEST(SqliteSpaceTest, DeletedRunsGiveTheirSpaceBackToTheFileSystem) {
  const std::string path = FreshPath("vacuum");
  constexpr int64_t kFreeLimit = 256 << 10;
  auto store = OpenSqliteStore(path, SqliteSpaceConfig{.free_limit_bytes = kFreeLimit});
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ(Pragma(path, "auto_vacuum"), 2) << "a new file is made with incremental auto-vacuum";
  absl::StatusOr<int64_t> range = (*store)->executions().AcquireShard(1);
  ASSERT_TRUE(range.ok());

  constexpr int kRuns = 2000;
  WriteRuns(**store, *range, 0, kRuns, 20, 1000);
  ASSERT_TRUE(CompactSqliteStore(**store).ok());
  const int64_t full = FileBytes(path);

  // Retention removes nine runs in ten.
  for (int64_t i = 0; i < kRuns;) {
    ShardTransaction tx;
    for (int k = 0; k < 50; ++k, ++i) {
      if (i % 10 != 0) tx.deletions.push_back(DeleteRun(kNamespace, i));
    }
    ASSERT_TRUE((*store)->executions().Commit(1, *range, tx).ok());
  }
  ASSERT_TRUE(CompactSqliteStore(**store).ok());
  const int64_t after = FileBytes(path);
  const int64_t free_bytes = Pragma(path, "freelist_count") * Pragma(path, "page_size");

  std::printf("file %lld bytes with %d runs, %lld after deleting 90%% (%lld bytes free)\n",
              static_cast<long long>(full), kRuns, static_cast<long long>(after), static_cast<long long>(free_bytes));
  EXPECT_LT(after, full / 3);
  EXPECT_LE(free_bytes, kFreeLimit);
  EXPECT_EQ(WalBytes(path), 0);
  // What is left is intact.
  auto kept = (*store)->executions().ReadHistory(kNamespace, "load-1990", "run-1990", 1, 100, 100);
  ASSERT_TRUE(kept.ok()) << kept.status();
  EXPECT_EQ(kept->size(), 4u);
  EXPECT_FALSE((*store)->executions().GetExecution(kNamespace, "load-1991", "run-1991").ok());
}

TEST(SqliteSpaceTest, AFileMadeWithoutAutoVacuumKeepsWorking) {
  const std::string path = FreshPath("legacy");
  {
    // What earlier versions made: tables before any auto_vacuum setting.
    SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec("CREATE TABLE made_by_an_older_zaman (x)");
  }
  auto store = OpenSqliteStore(path, SqliteSpaceConfig{.free_limit_bytes = 4096});
  ASSERT_TRUE(store.ok()) << store.status();
  absl::StatusOr<int64_t> range = (*store)->executions().AcquireShard(1);
  ASSERT_TRUE(range.ok());
  WriteRuns(**store, *range, 0, 200, 20, 1000);
  ShardTransaction tx;
  for (int64_t i = 0; i < 200; ++i) tx.deletions.push_back(DeleteRun(kNamespace, i));
  ASSERT_TRUE((*store)->executions().Commit(1, *range, tx).ok());

  EXPECT_TRUE(CompactSqliteStore(**store).ok());
  EXPECT_EQ(Pragma(path, "auto_vacuum"), 0);
  EXPECT_GT(Pragma(path, "freelist_count"), 0) << "free pages stay in the file, for reuse";
  WriteRuns(**store, *range, 200, 10, 10, 1000);
  EXPECT_TRUE((*store)->executions().GetExecution(kNamespace, "load-205", "run-205").ok());
}

}  // namespace
}  // namespace zaman::persistence

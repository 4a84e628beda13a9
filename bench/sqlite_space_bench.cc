// The SQLite file on disk over a long run: sustained workflow starts with
// visibility writes and list queries beside them, then retention deleting
// most runs. Prints the log's size as the run goes and the file's size
// before and after the deletion (bench/README.md, "SQLite on disk").
//
//   build/bin/sqlite_space_bench [--runs=30000] [--db=build/bench-sqlite.db]
//                                [--wal-limit-mb=64] [--free-limit-mb=32]
//
// The file is made new each time.
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>

#include <SQLiteCpp/SQLiteCpp.h>

#include "absl/time/clock.h"
#include "bench_flags.h"
#include "absl/time/time.h"
#include "persistence/sqlite/sqlite_store.h"
#include "persistence/testing/run_load.h"

namespace {

using zaman::persistence::testing::FileBytes;
using zaman::persistence::testing::WalBytes;

constexpr char kNamespace[] = "bench-ns";
constexpr int kEventsPerRun = 4;
constexpr int kPayloadBytes = 1000;
constexpr int kDeletionsPerCommit = 100;

double Mb(int64_t bytes) { return static_cast<double>(bytes) / (1 << 20); }

void Check(const absl::Status& status, const char* what) {
  if (status.ok()) return;
  std::fprintf(stderr, "%s: %s\n", what, status.ToString().c_str());
  std::exit(1);
}

int64_t FreeBytes(const std::string& path) {
  SQLite::Database db(path, SQLite::OPEN_READONLY);
  return db.execAndGet("PRAGMA freelist_count").getInt64() * db.execAndGet("PRAGMA page_size").getInt64();
}

}  // namespace

int main(int argc, char** argv) {
  int64_t runs = 30000;
  std::string path = "build/bench-sqlite.db";
  zaman::persistence::SqliteSpaceConfig space;
  for (int i = 1; i < argc; ++i) {
    auto flag = [&](const char* name) { return zaman::bench::FlagValue(argv[i], name); };
    if (const char* v = flag("--runs=")) {
      runs = std::atoll(v);
    } else if (const char* v = flag("--db=")) {
      path = v;
    } else if (const char* v = flag("--wal-limit-mb=")) {
      space.wal_limit_bytes = std::atoll(v) << 20;
    } else if (const char* v = flag("--free-limit-mb=")) {
      space.free_limit_bytes = std::atoll(v) << 20;
    } else {
      std::fprintf(stderr, "unknown flag %s\n", argv[i]);
      return 2;
    }
  }
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  auto opened = zaman::persistence::OpenSqliteStore(path, space);
  Check(opened.status(), "open");
  zaman::persistence::Store& store = **opened;
  absl::StatusOr<int64_t> range = store.executions().AcquireShard(1);
  Check(range.status(), "acquire shard");

  std::printf("sustained starts: %lld runs (%d events of %d bytes each), one commit per run; "
              "visibility upserts and list queries beside; log limit %.0f MB\n\n",
              static_cast<long long>(runs), kEventsPerRun, kPayloadBytes, Mb(space.wal_limit_bytes));
  std::printf("| runs | elapsed s | log now MB | largest log so far MB | file MB |\n| ---: | ---: | ---: | ---: | ---: |\n");
  std::atomic<bool> done = false;
  std::atomic<int64_t> started = 0;
  std::atomic<int64_t> lists = 0;
  std::atomic<int64_t> upserts = 0;
  std::atomic<int64_t> busy_upserts = 0;
  std::thread visibility_writer([&] {
    // The row of each run started, as the visibility outbox writes it.
    for (int64_t i = 0; !done;) {
      if (i == started) {
        std::this_thread::yield();
        continue;
      }
      // Busy past the connection's 5 s wait: the outbox would try again.
      if (store.visibility().Upsert(zaman::persistence::testing::RunVisibility(kNamespace, i)).ok()) {
        ++i;
        ++upserts;
      } else {
        ++busy_upserts;
      }
    }
  });
  std::thread reader([&] {
    while (!done) {
      Check(store.visibility().List(kNamespace, zaman::visibility::Query{}, "", 100, "").status(), "list");
      ++lists;
    }
  });
  const absl::Time began = absl::Now();
  int64_t largest = 0;
  for (int64_t i = 0; i < runs; ++i) {
    zaman::persistence::ShardTransaction tx;
    tx.updates.push_back(zaman::persistence::testing::NewRun(kNamespace, i, kEventsPerRun, kPayloadBytes));
    Check(store.executions().Commit(1, *range, tx), "commit");
    started = i + 1;
    const int64_t wal = WalBytes(path);
    largest = std::max(largest, wal);
    if ((i + 1) % std::max<int64_t>(runs / 10, 1) == 0) {
      std::printf("| %lld | %.1f | %.1f | %.1f | %.1f |\n", static_cast<long long>(i + 1),
                  absl::ToDoubleSeconds(absl::Now() - began), Mb(wal), Mb(largest), Mb(FileBytes(path)));
      std::fflush(stdout);
    }
  }
  done = true;
  visibility_writer.join();
  reader.join();
  const double seconds = absl::ToDoubleSeconds(absl::Now() - began);
  std::printf("\n%lld starts in %.1f s (%.0f/s); beside them %lld list queries, %lld visibility upserts "
              "(%lld more gave up, busy)\n",
              static_cast<long long>(runs), seconds, static_cast<double>(runs) / seconds,
              static_cast<long long>(lists.load()), static_cast<long long>(upserts.load()),
              static_cast<long long>(busy_upserts.load()));

  Check(zaman::persistence::CompactSqliteStore(store), "compact");
  const int64_t full = FileBytes(path);
  const int64_t free_before = FreeBytes(path);
  const absl::Time deleting = absl::Now();
  for (int64_t i = 0; i < runs;) {
    zaman::persistence::ShardTransaction tx;
    for (int k = 0; k < kDeletionsPerCommit && i < runs; ++k, ++i) {
      if (i % 10 != 0) tx.deletions.push_back(zaman::persistence::testing::DeleteRun(kNamespace, i));
    }
    Check(store.executions().Commit(1, *range, tx), "delete");
  }
  const double delete_seconds = absl::ToDoubleSeconds(absl::Now() - deleting);
  const int64_t after_delete = FileBytes(path);
  const int64_t free_after_delete = FreeBytes(path);
  const absl::Time compacting = absl::Now();
  Check(zaman::persistence::CompactSqliteStore(store), "compact");
  const double compact_seconds = absl::ToDoubleSeconds(absl::Now() - compacting);
  absl::StatusOr<zaman::persistence::SqliteUpkeepCounts> counts = zaman::persistence::SqliteUpkeepCountsOf(store);
  Check(counts.status(), "counts");

  std::printf("\nretention deletes 90%% of the runs (%d per commit) in %.1f s\n\n", kDeletionsPerCommit,
              delete_seconds);
  std::printf("| | file MB | free MB |\n| --- | ---: | ---: |\n");
  std::printf("| before the deletion | %.1f | %.1f |\n", Mb(full), Mb(free_before));
  std::printf("| right after it (background upkeep running meanwhile) | %.1f | %.1f |\n", Mb(after_delete),
              Mb(free_after_delete));
  std::printf("| after CompactSqliteStore (%.2f s) | %.1f | %.1f |\n", compact_seconds, Mb(FileBytes(path)),
              Mb(FreeBytes(path)));
  std::printf("\nlog truncations forced by the limit: %lld (put off by readers: %lld); vacuum steps: %lld\n",
              static_cast<long long>(counts->wal_truncations), static_cast<long long>(counts->wal_truncations_held_off),
              static_cast<long long>(counts->vacuum_steps));
  return 0;
}

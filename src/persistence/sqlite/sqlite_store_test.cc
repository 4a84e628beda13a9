#include "persistence/sqlite/sqlite_store.h"

#include <filesystem>

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

namespace zaman::persistence {
namespace {

std::string TempDbPath(const std::string& tag) {
  auto dir = std::filesystem::temp_directory_path() / ("zaman-sqlite-" + std::to_string(::getpid()) + tag);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return (dir / "zaman.db").string();
}

TEST(SqliteStoreTest, DataSurvivesReopen) {
  std::string path = TempDbPath("reopen");
  {
    auto store = OpenSqliteStore(path);
    ASSERT_TRUE(store.ok()) << store.status();
    NamespaceRecord record;
    record.mutable_info()->set_name("orders");
    record.mutable_info()->set_id("id-1");
    ASSERT_TRUE((*store)->namespaces().CreateNamespace(record).ok());
  }
  auto reopened = OpenSqliteStore(path);
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  auto stored = (*reopened)->namespaces().GetNamespaceByName("orders");
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(stored->record.info().id(), "id-1");
}

TEST(SqliteStoreTest, RefusesASchemaNewerThanItKnows) {
  std::string path = TempDbPath("newer");
  ASSERT_TRUE(OpenSqliteStore(path).ok());
  {
    SQLite::Database db(path, SQLite::OPEN_READWRITE);
    db.exec("UPDATE schema_version SET version = 999");
  }
  auto store = OpenSqliteStore(path);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(store.status().message().find("999"), std::string::npos);
}

TEST(SqliteStoreTest, AFileAtVersionFiveIsUpgradedKeepingItsData) {
  std::string path = TempDbPath("upgrade");
  ASSERT_TRUE(OpenSqliteStore(path).ok());
  {
    // What a v5 file looks like: no cluster tables yet.
    SQLite::Database db(path, SQLite::OPEN_READWRITE);
    db.exec("DROP TABLE cluster_membership");
    db.exec("DROP TABLE task_queues");
    db.exec("DROP TABLE tasks");
    db.exec("UPDATE schema_version SET version = 5");
    db.exec("INSERT INTO jobs (namespace_id, kind, job_id, version, state) VALUES ('ns', 'schedule', 'j', 1, x'00')");
  }
  auto store = OpenSqliteStore(path);
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_TRUE((*store)->jobs().GetJob("ns", "schedule", "j").ok());
  HostRecord host;
  host.host_id = "h";
  host.role = "history";
  host.expires_at = absl::FromUnixSeconds(100);
  ASSERT_TRUE((*store)->membership().Heartbeat(host).ok());
  EXPECT_EQ((*store)->membership().LiveHosts("history", absl::FromUnixSeconds(1))->size(), 1u);
  EXPECT_EQ((*store)->task_queues().AcquirePartition(PartitionKey{"ns", "q"})->range_id, 1);
  auto version = SqliteSchemaVersion(path);
  ASSERT_TRUE(version.ok());
  EXPECT_EQ(version->first, version->second);
}

TEST(SqliteStoreTest, NotADatabaseIsAnErrorNotACrash) {
  std::string path = TempDbPath("garbage");
  {
    std::FILE* f = std::fopen(path.c_str(), "w");
    std::fputs("this is not sqlite, just text long enough to have a header page ...", f);
    std::fclose(f);
  }
  auto store = OpenSqliteStore(path);
  EXPECT_FALSE(store.ok());
}

}  // namespace
}  // namespace zaman::persistence

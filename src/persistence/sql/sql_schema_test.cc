// `zaman db migrate` on PostgreSQL and MariaDB: a database set up by an
// older zaman gains the newer tables and keeps its rows.
#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "persistence/mysql/mysql_store.h"
#include "persistence/postgres/postgres_store.h"
#include "persistence/sql/sql_stores.h"
#include "persistence/testing/test_backends.h"

namespace zaman::persistence::sql {
namespace {

using testing::TestBackend;

class SqlSchemaTest : public ::testing::TestWithParam<TestBackend> {};

TEST_P(SqlSchemaTest, AVersionTwoDatabaseMigratesToTheClusterTablesKeepingItsRows) {
  absl::StatusOr<SqlConfig> server = testing::TestServer(GetParam());
  ASSERT_TRUE(server.ok()) << server.status();
  PersistenceConfig config;
  config.driver = GetParam().driver;
  config.sql = *server;
  config.sql.tls = SqlTlsConfig{};
  config.sql.database = absl::StrCat("zt_migrate_", ::getpid());

  // What `zaman db setup` of a zaman that knew versions 1 and 2 left.
  Driver driver = config.driver == "postgres" ? postgres::NewDriver(config.sql) : mysql::NewDriver(config.sql);
  const std::vector<absl::string_view> two_versions(driver.schema->begin(), driver.schema->begin() + 2);
  Driver old_driver = driver;
  old_driver.schema = &two_versions;
  ASSERT_TRUE(SetupSchema(old_driver).ok());
  {
    absl::StatusOr<std::unique_ptr<Connection>> c = driver.connect();
    ASSERT_TRUE(c.ok()) << c.status();
    ASSERT_TRUE((*c)->Run("INSERT INTO jobs (namespace_id, kind, job_id, version, state) VALUES (?, ?, ?, 1, ?)",
                          {std::string("ns"), std::string("schedule"), std::string("daily"), Bytes{"state"}})
                    .ok());
  }
  absl::StatusOr<std::unique_ptr<Store>> refused = OpenStore(config);
  ASSERT_FALSE(refused.ok());
  EXPECT_TRUE(absl::StrContains(refused.status().message(), "zaman db migrate")) << refused.status();

  ASSERT_TRUE(MigrateStore(config).ok());
  absl::StatusOr<SchemaVersionInfo> version = StoreSchemaVersion(config);
  ASSERT_TRUE(version.ok()) << version.status();
  EXPECT_EQ(version->applied, version->known);
  absl::StatusOr<std::unique_ptr<Store>> store = OpenStore(config);
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ((*store)->jobs().GetJob("ns", "schedule", "daily")->state, "state");
  absl::StatusOr<std::vector<HostRecord>> hosts = (*store)->membership().LiveHosts("history", absl::UnixEpoch());
  ASSERT_TRUE(hosts.ok()) << hosts.status();
  EXPECT_TRUE(hosts->empty());
  EXPECT_EQ((*store)->task_queues().AcquirePartition(PartitionKey{"ns", "orders"})->range_id, 1);
}

INSTANTIATE_TEST_SUITE_P(Servers, SqlSchemaTest,
                         ::testing::Values(TestBackend{"postgres", "postgres"}, TestBackend{"mariadb", "mysql"}),
                         [](const ::testing::TestParamInfo<TestBackend>& info) { return info.param.name; });

}  // namespace
}  // namespace zaman::persistence::sql

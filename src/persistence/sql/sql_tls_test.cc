// Database TLS: the drivers verify the server's certificate against the
// configured CA, and present a client certificate when given one.
#include <cstdio>
#include <fstream>

#include <gtest/gtest.h>

#include "persistence/testing/test_backends.h"

namespace zaman::persistence {
namespace {

using testing::TestBackend;

// A fresh database reached over TLS, verified against the fixture's CA.
PersistenceConfig TlsConfig(const TestBackend& backend) {
  absl::StatusOr<PersistenceConfig> config = testing::FreshStoreConfig(backend, ::testing::TempDir());
  EXPECT_TRUE(config.ok()) << config.status();
  absl::StatusOr<SqlConfig> server = testing::TestServer(backend);
  EXPECT_TRUE(server.ok()) << server.status();
  if (!config.ok() || !server.ok()) return {};
  config->sql.tls = server->tls;
  config->sql.tls.enabled = true;
  return *config;
}

class SqlTlsTest : public ::testing::TestWithParam<TestBackend> {
 protected:
  PersistenceConfig TlsConfig() { return persistence::TlsConfig(GetParam()); }
};

TEST_P(SqlTlsTest, AVerifiedConnectionWorks) {
  PersistenceConfig config = TlsConfig();
  absl::StatusOr<std::unique_ptr<Store>> store = OpenStore(config);
  ASSERT_TRUE(store.ok()) << store.status();
  NamespaceRecord record;
  record.mutable_info()->set_name("over-tls");
  record.mutable_info()->set_id("tls-1");
  ASSERT_TRUE((*store)->namespaces().CreateNamespace(record).ok());
  EXPECT_TRUE((*store)->namespaces().GetNamespaceByName("over-tls").ok());
}

TEST_P(SqlTlsTest, AServerCertificateNotSignedByTheCaIsRefused) {
  PersistenceConfig config = TlsConfig();
  // The client certificate is no CA of the server's certificate.
  config.sql.tls.ca_file = config.sql.tls.cert_file;
  absl::StatusOr<std::unique_ptr<Store>> store = OpenStore(config);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), absl::StatusCode::kUnavailable) << store.status();
}

// PostgreSQL only: MySQL's client checks the certificate against `host`
// itself, and the config refuses another server_name.
TEST(PostgresTlsTest, TheServerNameMustMatchTheCertificate) {
  PersistenceConfig config = TlsConfig({"postgres", "postgres"});
  config.sql.tls.server_name = "not-the-server.example";
  absl::StatusOr<std::unique_ptr<Store>> store = OpenStore(config);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), absl::StatusCode::kUnavailable) << store.status();
  config.sql.tls.server_name = "localhost";
  EXPECT_TRUE(OpenStore(config).ok()) << "the certificate names localhost";
}

INSTANTIATE_TEST_SUITE_P(Servers, SqlTlsTest,
                         ::testing::Values(TestBackend{"postgres", "postgres"}, TestBackend{"mariadb", "mysql"}),
                         [](const ::testing::TestParamInfo<TestBackend>& info) { return info.param.name; });

}  // namespace
}  // namespace zaman::persistence

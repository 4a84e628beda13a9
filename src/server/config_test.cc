#include "server/config.h"

#include <gtest/gtest.h>

namespace zaman::server {
namespace {

TEST(ConfigTest, FullConfigParses) {
  auto config = ParseConfig(R"(
log:
  level: debug
  format: json
frontend:
  ip: 0.0.0.0
  port: 7300
  tls:
    cert_file: /etc/zaman/server.pem
    key_file: /etc/zaman/server.key
    client_ca_file: /etc/zaman/ca.pem
persistence:
  driver: sqlite
  sqlite:
    path: /var/lib/zaman/zaman.db
    wal_limit_mb: 16
    free_limit_mb: 0
cluster:
  name: east
  num_shards: 64
shutdown_grace: 5s
namespaces:
  - name: default
    retention: 72h
  - name: orders
)");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->log_level, "debug");
  EXPECT_EQ(config->log_format, LogFormat::kJson);
  EXPECT_EQ(config->frontend.ip, "0.0.0.0");
  EXPECT_EQ(config->frontend.port, 7300);
  EXPECT_EQ(config->frontend.tls.client_ca_file, "/etc/zaman/ca.pem");
  EXPECT_EQ(config->persistence.sqlite_path, "/var/lib/zaman/zaman.db");
  EXPECT_EQ(config->persistence.sqlite_space.wal_limit_bytes, 16 << 20);
  EXPECT_EQ(config->persistence.sqlite_space.free_limit_bytes, 0);
  EXPECT_EQ(config->cluster_name, "east");
  EXPECT_EQ(config->num_shards, 64);
  EXPECT_EQ(config->shutdown_grace, absl::Seconds(5));
  ASSERT_EQ(config->namespaces.size(), 2u);
  EXPECT_EQ(config->namespaces[0].retention, absl::Hours(72));
  EXPECT_EQ(config->namespaces[1].name, "orders");
  EXPECT_EQ(config->namespaces[1].retention, absl::Hours(24));
}

TEST(ConfigTest, EmptyFileMeansDefaults) {
  auto config = ParseConfig("");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->frontend.port, 7233);
  EXPECT_EQ(config->persistence.driver, "sqlite");
  ASSERT_EQ(config->namespaces.size(), 1u);
  EXPECT_EQ(config->namespaces[0].name, "default");
}

// Each bad file fails with a message that names the setting at fault.
struct BadCase {
  const char* yaml;
  const char* names;
};

void PrintTo(const BadCase& c, std::ostream* os) { *os << c.names; }

class BadConfigTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(BadConfigTest, NamesTheSetting) {
  auto config = ParseConfig(GetParam().yaml);
  ASSERT_FALSE(config.ok()) << GetParam().yaml;
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(config.status().message().find(GetParam().names), std::string::npos)
      << config.status().message();
  EXPECT_EQ(config.status().message().find('\n'), std::string::npos) << "one line";
}

INSTANTIATE_TEST_SUITE_P(
    Cases, BadConfigTest,
    ::testing::Values(BadCase{"frontend:\n  prot: 1\n", "frontend.prot"},
                      BadCase{"frontend:\n  port: 70000\n", "frontend.port"},
                      BadCase{"frontend:\n  port: seven\n", "frontend.port"},
                      BadCase{"log:\n  format: xml\n", "log.format"},
                      BadCase{"log:\n  level: loud\n", "log.level"},
                      BadCase{"persistence:\n  driver: oracle\n", "persistence.driver"},
                      BadCase{"frontend:\n  tls:\n    cert_file: a.pem\n", "frontend.tls"},
                      BadCase{"frontend:\n  tls:\n    client_ca_file: ca.pem\n", "client_ca_file"},
                      BadCase{"namespaces:\n  - name: x\n    retention: soon\n", "namespaces[0].retention"},
                      BadCase{"namespaces:\n  - retention: 2h\n", "namespaces[0].name"},
                      BadCase{"namespaces:\n  - name: \"bad name\"\n", "namespaces"},
                      BadCase{"cluster:\n  num_shards: 0\n", "cluster.num_shards"},
                      BadCase{"persistence:\n  sqlite:\n    wal_limit_mb: 0\n", "persistence.sqlite.wal_limit_mb"},
                      BadCase{"frontend: [1, 2]\n", "frontend"},
                      BadCase{"frontend: {port: 1\n", "line"},
                      BadCase{"colour: blue\n", "colour"}));

TEST(ConfigTest, MetricsListenAddress) {
  auto config = ParseConfig("metrics:\n  prometheus:\n    listen_address: 0.0.0.0:8000\n");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->metrics_listen_address, "0.0.0.0:8000");
  EXPECT_TRUE(ParseConfig("{}")->metrics_listen_address.empty());
  auto bad = ParseConfig("metrics: {prometheus: {listen_address: \"8000\"}}");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "metrics.prometheus.listen_address: must be host:port, e.g. 127.0.0.1:8000");
}

}  // namespace
}  // namespace zaman::server

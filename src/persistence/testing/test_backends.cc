#include "persistence/testing/test_backends.h"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <optional>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace zaman::persistence::testing {
namespace {

// The fixture's env file: named by ZAMAN_TEST_POSTGRES_ENV / _MYSQL_ENV, or
// found under ZAMAN_TEST_DB_DIR (what CTest sets: tests/db/ctest-fixtures.cmake).
std::optional<std::string> EnvFile(const TestBackend& backend) {
  const char* file = std::getenv(backend.name == "postgres" ? "ZAMAN_TEST_POSTGRES_ENV" : "ZAMAN_TEST_MYSQL_ENV");
  if (file != nullptr) return std::string(file);
  const char* dir = std::getenv("ZAMAN_TEST_DB_DIR");
  if (dir != nullptr) return absl::StrCat(dir, "/", backend.name, "/env");
  return std::nullopt;
}

}  // namespace

std::vector<TestBackend> TestBackends() {
  return {{"sqlite_in_memory", "memory"}, {"sqlite", "sqlite"}, {"postgres", "postgres"}, {"mariadb", "mysql"}};
}

absl::StatusOr<SqlConfig> TestServer(const TestBackend& backend) {
  std::optional<std::string> env_file = EnvFile(backend);
  if (!env_file) {
    return absl::FailedPreconditionError(absl::StrCat(
        "no ", backend.name, " server: run the test through ctest (its fixture starts one), or start one with "
        "tests/db/throwaway.sh start ", backend.name, " DIR and set ZAMAN_TEST_DB_DIR to DIR's parent"));
  }
  const char* path = env_file->c_str();
  std::ifstream in(path);
  if (!in) return absl::FailedPreconditionError(absl::StrCat("no ", path, ": is the ", backend.name, " fixture running?"));
  std::map<std::string, std::string> env;
  for (std::string line; std::getline(in, line);) {
    size_t eq = line.find('=');
    if (eq != std::string::npos) env[line.substr(0, eq)] = line.substr(eq + 1);
  }
  const std::string prefix = backend.name == "postgres" ? "ZAMAN_TEST_POSTGRES_" : "ZAMAN_TEST_MYSQL_";
  SqlConfig sql;
  sql.host = env[prefix + "HOST"];
  if (!absl::SimpleAtoi(env[prefix + "PORT"], &sql.port)) {
    return absl::FailedPreconditionError(absl::StrCat(path, " names no port"));
  }
  sql.user = env[prefix + "USER"];
  sql.password = env[prefix + "PASSWORD"];
  sql.database = env[prefix + "DATABASE"];
  sql.tls.ca_file = env[prefix + "CA"];  // for tests that turn TLS on
  sql.tls.cert_file = env[prefix + "CLIENT_CERT"];
  sql.tls.key_file = env[prefix + "CLIENT_KEY"];
  return sql;
}

absl::StatusOr<PersistenceConfig> FreshStoreConfig(const TestBackend& backend, const std::string& dir) {
  static std::atomic<int> counter{0};
  PersistenceConfig config;
  config.driver = backend.driver;
  if (backend.driver == "memory") return config;
  if (backend.driver == "sqlite") {
    config.sqlite_path = absl::StrCat(dir, "/zaman-test-", ::getpid(), "-", ++counter, ".db");
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove(absl::StrCat(config.sqlite_path, suffix).c_str());
    return config;
  }
  absl::StatusOr<SqlConfig> server = TestServer(backend);
  if (!server.ok()) return server.status();
  config.sql = *server;
  config.sql.tls = SqlTlsConfig{};
  config.sql.database = absl::StrCat("zt_", ::getpid(), "_", ++counter);
  if (absl::Status s = SetupStore(config); !s.ok()) return s;
  return config;
}

absl::StatusOr<std::unique_ptr<Store>> OpenFreshStore(const TestBackend& backend, const std::string& dir) {
  absl::StatusOr<PersistenceConfig> config = FreshStoreConfig(backend, dir);
  if (!config.ok()) return config.status();
  return OpenStore(*config);
}

void PrintTo(const TestBackend& backend, std::ostream* os) { *os << backend.name; }

}  // namespace zaman::persistence::testing

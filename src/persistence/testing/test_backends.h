#pragma once

// For tests only: every backend a store contract test runs against. SQLite
// is always there; PostgreSQL and MariaDB are the servers the CTest fixtures
// of tests/db/ start (ZAMAN_TEST_POSTGRES_ENV / ZAMAN_TEST_MYSQL_ENV name
// their env files). A test on a server that is not running fails, saying so.

#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "persistence/store.h"

namespace zaman::persistence::testing {

struct TestBackend {
  std::string name;    // a gtest parameter name: sqlite_in_memory, sqlite, postgres, mariadb
  std::string driver;  // persistence.driver
};

std::vector<TestBackend> TestBackends();
void PrintTo(const TestBackend& backend, std::ostream* os);

// The server of a postgres/mariadb backend, from its fixture's env file.
// FailedPrecondition when the fixture is not running.
absl::StatusOr<SqlConfig> TestServer(const TestBackend& backend);

// A store of its own for one test: a new database with the schema on a
// server backend, a new file (under `dir`) or memory on SQLite.
absl::StatusOr<PersistenceConfig> FreshStoreConfig(const TestBackend& backend, const std::string& dir);
absl::StatusOr<std::unique_ptr<Store>> OpenFreshStore(const TestBackend& backend, const std::string& dir);

}  // namespace zaman::persistence::testing

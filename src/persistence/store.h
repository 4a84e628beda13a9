#pragma once

#include "absl/strings/string_view.h"
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "persistence/cluster_store.h"
#include "persistence/execution_store.h"
#include "persistence/namespace_store.h"
#include "persistence/visibility_store.h"

namespace zaman::persistence {

// Where a store lives. Only SQLite so far; see docs/configuration.md.
struct PersistenceConfig {
  std::string driver = "sqlite";   // "sqlite", or "memory" (SQLite in memory)
  std::string sqlite_path = "zaman.db";  // a file, or ":memory:"
};

// One backend's set of stores. Owned by the server wiring; outlives every
// role that uses it.
class Store {
 public:
  virtual ~Store() = default;
  virtual absl::string_view backend_name() const = 0;
  virtual NamespaceStore& namespaces() = 0;
  virtual ClusterStore& cluster() = 0;
  virtual ExecutionStore& executions() = 0;
  virtual VisibilityStore& visibility() = 0;
};

// Opens (and on first use creates) the store the config names. Refuses a
// store whose schema version this binary does not know.
absl::StatusOr<std::unique_ptr<Store>> OpenStore(const PersistenceConfig& config);

}  // namespace zaman::persistence

#pragma once

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "history/history_client.h"
#include "persistence/namespace_store.h"

namespace zaman::frontend {

// Resolves namespace names in requests to ids and their search attribute
// definitions. Namespaces are never renamed or removed, so a name once
// resolved stays valid: hits are answered from memory, misses read the
// store (blocking); whoever changes a namespace's search attributes calls
// Forget. Thread-safe.
class NamespaceRegistry {
 public:
  explicit NamespaceRegistry(persistence::NamespaceStore& store) : store_(store) {}

  // InvalidArgument for an empty name, NamespaceNotFound for an unknown one.
  absl::StatusOr<history::NamespaceRef> Resolve(const std::string& name);
  // The next Resolve reads the store again.
  void Forget(const std::string& name);

 private:
  persistence::NamespaceStore& store_;
  absl::Mutex mu_;
  std::map<std::string, history::NamespaceRef> by_name_ ABSL_GUARDED_BY(mu_);
};

}  // namespace zaman::frontend

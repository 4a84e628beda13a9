#include "frontend/namespace_registry.h"

#include "common/errors.h"
#include "metrics/metrics.h"

namespace zaman::frontend {

absl::StatusOr<history::NamespaceRef> NamespaceRegistry::Resolve(const std::string& name) {
  if (name.empty()) return errors::InvalidArgument("Namespace is not set on request.");
  {
    absl::MutexLock lock(&mu_);
    if (auto it = by_name_.find(name); it != by_name_.end()) return it->second;
  }
  absl::StatusOr<persistence::StoredNamespace> stored = store_.GetNamespaceByName(name);
  if (stored.status().code() == absl::StatusCode::kNotFound) return errors::NamespaceNotFound(name);
  if (!stored.ok()) return stored.status();
  history::NamespaceRef ref{stored->record.info().id(), name};
  ref.search_attributes = std::make_shared<const visibility::SearchAttributeTypes>(
      stored->record.search_attributes().begin(), stored->record.search_attributes().end());
  metrics::RememberNamespace(ref.id, name);
  absl::MutexLock lock(&mu_);
  by_name_[name] = ref;
  return ref;
}

void NamespaceRegistry::Forget(const std::string& name) {
  absl::MutexLock lock(&mu_);
  by_name_.erase(name);
}

}  // namespace zaman::frontend

#include "absl/strings/string_view.h"
#include "persistence/memory/memory_store.h"

#include <map>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/errors.h"
#include "persistence/page_token.h"

namespace zaman::persistence {
namespace {

class MemoryNamespaceStore final : public NamespaceStore {
 public:
  absl::Status CreateNamespace(const NamespaceRecord& record) override {
    absl::MutexLock lock(&mu_);
    const std::string& name = record.info().name();
    if (by_name_.contains(name)) return absl::AlreadyExistsError(absl::StrCat("namespace name ", name));
    for (const auto& [_, stored] : by_name_) {
      if (stored.record.info().id() == record.info().id()) {
        return absl::AlreadyExistsError(absl::StrCat("namespace id ", record.info().id()));
      }
    }
    by_name_[name] = StoredNamespace{record, 1};
    return absl::OkStatus();
  }

  absl::StatusOr<StoredNamespace> GetNamespaceByName(absl::string_view name) override {
    absl::MutexLock lock(&mu_);
    auto it = by_name_.find(std::string(name));
    if (it == by_name_.end()) return absl::NotFoundError(absl::StrCat("namespace ", name));
    return it->second;
  }

  absl::StatusOr<StoredNamespace> GetNamespaceById(absl::string_view id) override {
    absl::MutexLock lock(&mu_);
    StoredNamespace* found = FindById(id);
    if (found == nullptr) return absl::NotFoundError(absl::StrCat("namespace id ", id));
    return *found;
  }

  absl::Status UpdateNamespace(const NamespaceRecord& record, int64_t expected_version) override {
    absl::MutexLock lock(&mu_);
    StoredNamespace* found = FindById(record.info().id());
    if (found == nullptr) return absl::NotFoundError(absl::StrCat("namespace id ", record.info().id()));
    if (found->version != expected_version) {
      return errors::ConditionFailed("namespace was changed concurrently");
    }
    if (found->record.info().name() != record.info().name()) {
      return errors::InvalidArgument("a namespace cannot be renamed");
    }
    found->record = record;
    ++found->version;
    return absl::OkStatus();
  }

  absl::StatusOr<NamespacePage> ListNamespaces(int page_size, absl::string_view page_token) override {
    std::string after;
    if (!page_token.empty()) {
      absl::StatusOr<std::string> decoded = DecodeNamespacePageToken(page_token);
      if (!decoded.ok()) return decoded.status();
      after = *decoded;
    }
    absl::MutexLock lock(&mu_);
    NamespacePage page;
    auto it = page_token.empty() ? by_name_.begin() : by_name_.upper_bound(after);
    for (; it != by_name_.end() && static_cast<int>(page.namespaces.size()) < page_size; ++it) {
      page.namespaces.push_back(it->second);
    }
    if (it != by_name_.end() && !page.namespaces.empty()) {
      page.next_page_token = EncodeNamespacePageToken(page.namespaces.back().record.info().name());
    }
    return page;
  }

 private:
  StoredNamespace* FindById(absl::string_view id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    for (auto& [_, stored] : by_name_) {
      if (stored.record.info().id() == id) return &stored;
    }
    return nullptr;
  }

  absl::Mutex mu_;
  std::map<std::string, StoredNamespace> by_name_ ABSL_GUARDED_BY(mu_);
};

class MemoryClusterStore final : public ClusterStore {
 public:
  absl::StatusOr<ClusterMetadata> InitClusterMetadata(const ClusterMetadata& initial) override {
    absl::MutexLock lock(&mu_);
    if (!metadata_) metadata_ = initial;
    return *metadata_;
  }

 private:
  absl::Mutex mu_;
  std::optional<ClusterMetadata> metadata_ ABSL_GUARDED_BY(mu_);
};

class MemoryStore final : public Store {
 public:
  absl::string_view backend_name() const override { return "memory"; }
  NamespaceStore& namespaces() override { return namespaces_; }
  ClusterStore& cluster() override { return cluster_; }

 private:
  MemoryNamespaceStore namespaces_;
  MemoryClusterStore cluster_;
};

}  // namespace

std::unique_ptr<Store> NewMemoryStore() { return std::make_unique<MemoryStore>(); }

}  // namespace zaman::persistence

#pragma once

#include "absl/strings/string_view.h"
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "zaman/persistence/v1/namespace.pb.h"

namespace zaman::persistence {

using NamespaceRecord = ::zaman::persistence::v1::NamespaceRecord;

// A namespace as read from a store, with the version that guards updates.
struct StoredNamespace {
  NamespaceRecord record;
  int64_t version = 0;
};

struct NamespacePage {
  std::vector<StoredNamespace> namespaces;
  // Empty when there is nothing after this page.
  std::string next_page_token;
};

// Durable namespace records. Names and ids are both unique. Implementations
// are thread-safe; calls may block on I/O.
class NamespaceStore {
 public:
  virtual ~NamespaceStore() = default;

  // AlreadyExists if the name or the id is taken.
  virtual absl::Status CreateNamespace(const NamespaceRecord& record) = 0;

  // NotFound if there is no such namespace.
  virtual absl::StatusOr<StoredNamespace> GetNamespaceByName(absl::string_view name) = 0;
  virtual absl::StatusOr<StoredNamespace> GetNamespaceById(absl::string_view id) = 0;

  // Replaces the record of namespace `record.info().id()` if its stored
  // version is still `expected_version`; the version then moves on by one.
  // errors::ConditionFailed if it moved; NotFound if it is gone.
  virtual absl::Status UpdateNamespace(const NamespaceRecord& record,
                                       int64_t expected_version) = 0;

  // Namespaces in name order. `page_token` is empty for the first page or
  // a `next_page_token` from an earlier call; tokens stay valid while rows are
  // added or changed. InvalidArgument for a token this store did not make.
  virtual absl::StatusOr<NamespacePage> ListNamespaces(int page_size,
                                                       absl::string_view page_token) = 0;
};

}  // namespace zaman::persistence

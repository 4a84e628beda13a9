#pragma once

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "temporal/api/workflow/v1/message.pb.h"
#include "visibility/query.h"
#include "zaman/persistence/v1/visibility.pb.h"

namespace zaman::persistence {

using VisibilityRecord = ::zaman::persistence::v1::VisibilityRecord;
using WorkflowExecutionInfo = ::temporal::api::workflow::v1::WorkflowExecutionInfo;

struct VisibilityPage {
  std::vector<WorkflowExecutionInfo> executions;
  std::string next_page_token;  // empty: no more
};

struct VisibilityCount {
  int64_t count = 0;
  std::vector<std::pair<int, int64_t>> by_status;  // GROUP BY ExecutionStatus: (status, count)
};

// The rows List/Count filters read: one per run, replaced as the run
// changes. Custom search attributes are indexed by the type stamped in
// their payload metadata. Thread-safe.
class VisibilityStore {
 public:
  virtual ~VisibilityStore() = default;

  // Inserts or replaces the run's row, unless the stored one has a higher
  // version (updates may arrive out of order; an old one is ignored).
  virtual absl::Status Upsert(const VisibilityRecord& record) { return UpsertMany({record}); }
  // The same for several records, in one store transaction.
  virtual absl::Status UpsertMany(const std::vector<VisibilityRecord>& records) = 0;
  virtual absl::Status Delete(absl::string_view namespace_id, absl::string_view run_id) = 0;

  // Runs matching `query`, in its order (default: open runs first, then the
  // most recently closed). `query_text` ties page tokens to their query.
  virtual absl::StatusOr<VisibilityPage> List(absl::string_view namespace_id, const visibility::Query& query,
                                              absl::string_view query_text, int page_size,
                                              absl::string_view page_token) = 0;
  virtual absl::StatusOr<VisibilityCount> Count(absl::string_view namespace_id, const visibility::Query& query) = 0;
};

}  // namespace zaman::persistence

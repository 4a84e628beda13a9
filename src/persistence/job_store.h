#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace zaman::persistence {

// A durable job of the worker role: a schedule, a batch operation. The store
// keeps its state as bytes it never looks into, and the time its owner must
// next look at it.
struct StoredJob {
  std::string namespace_id;
  std::string kind;    // "schedule", "batch"
  std::string job_id;  // unique within (namespace, kind)
  int64_t version = 0;  // 1 when created, one more at every update
  std::string state;    // the owner's serialized state
  absl::Time wake_at = absl::InfiniteFuture();  // InfiniteFuture: nothing to do until it changes
};

struct JobPage {
  std::vector<StoredJob> jobs;
  std::string next_page_token;  // empty: no more
};

// Jobs, each changed by compare-and-set on its version, so that two hosts
// (or an RPC and the driver) never both apply a change. Thread-safe; calls
// may block on I/O.
class JobStore {
 public:
  virtual ~JobStore() = default;

  // Stores `job` with version 1. AlreadyExists when the id is taken.
  virtual absl::Status CreateJob(const StoredJob& job) = 0;
  // NotFound when there is none.
  virtual absl::StatusOr<StoredJob> GetJob(absl::string_view namespace_id, absl::string_view kind,
                                           absl::string_view job_id) = 0;
  // Replaces state and wake_at when the stored version is `expected_version`
  // (and bumps it); ConditionFailed when it is not, NotFound when the job is gone.
  virtual absl::Status UpdateJob(const StoredJob& job, int64_t expected_version) = 0;
  // NotFound when there is none.
  virtual absl::Status DeleteJob(absl::string_view namespace_id, absl::string_view kind,
                                 absl::string_view job_id) = 0;
  // Jobs of `kind` in every namespace whose wake_at is at or before `until`,
  // earliest first, at most `limit`.
  virtual absl::StatusOr<std::vector<StoredJob>> DueJobs(absl::string_view kind, absl::Time until, int limit) = 0;
  // A namespace's jobs of `kind` by id.
  virtual absl::StatusOr<JobPage> ListJobs(absl::string_view namespace_id, absl::string_view kind, int page_size,
                                           absl::string_view page_token) = 0;
};

}  // namespace zaman::persistence

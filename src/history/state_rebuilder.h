#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "history/shard.h"

namespace zaman::history {

// The mutable state a run has after `events` (its history from event 1, in
// order), as the handlers that wrote them would have left it: pending
// workflow task, activities, timers, children, accepted updates, search
// attributes and memo. Used by reset, which starts a new run from a prefix
// of an old run's history. InvalidArgument if the events are not a run's
// history from its start.
absl::StatusOr<MutableState> RebuildState(const std::string& namespace_id, const std::string& workflow_id,
                                          const std::string& run_id, const std::vector<HistoryEvent>& events);

}  // namespace zaman::history

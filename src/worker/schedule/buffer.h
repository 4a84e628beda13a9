#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "google/protobuf/repeated_ptr_field.h"
#include "zaman/persistence/v1/schedule.pb.h"

namespace zaman::worker::schedule {

// What to do with a schedule's owed starts, by their overlap policies.
struct BufferDecision {
  std::optional<persistence::v1::BufferedStart> non_overlapping;  // start it: nothing of ours is running
  std::vector<persistence::v1::BufferedStart> overlapping;        // allow-all starts: start them all
  google::protobuf::RepeatedPtrField<persistence::v1::BufferedStart> new_buffer;  // still owed
  bool need_cancel = false;     // cancel the running workflows (cancel-other)
  bool need_terminate = false;  // terminate them (terminate-other)
  int64_t overlap_skipped = 0;
};

// `running`: a workflow the schedule started is still running. `resolve`
// turns an unspecified policy into the schedule's current one.
BufferDecision DecideBuffer(
    const google::protobuf::RepeatedPtrField<persistence::v1::BufferedStart>& buffer, bool running,
    const std::function<temporal::api::enums::v1::ScheduleOverlapPolicy(temporal::api::enums::v1::ScheduleOverlapPolicy)>&
        resolve);

}  // namespace zaman::worker::schedule

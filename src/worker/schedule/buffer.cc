#include "worker/schedule/buffer.h"

namespace zaman::worker::schedule {

namespace enums = ::temporal::api::enums::v1;

BufferDecision DecideBuffer(
    const google::protobuf::RepeatedPtrField<persistence::v1::BufferedStart>& buffer, bool running,
    const std::function<enums::ScheduleOverlapPolicy(enums::ScheduleOverlapPolicy)>& resolve) {
  BufferDecision d;
  for (const persistence::v1::BufferedStart& start : buffer) {
    const enums::ScheduleOverlapPolicy policy = resolve(start.overlap_policy());
    if (policy == enums::SCHEDULE_OVERLAP_POLICY_ALLOW_ALL) {
      d.overlapping.push_back(start);
      continue;
    }
    if (!running && !d.non_overlapping.has_value()) {
      d.non_overlapping = start;
      continue;
    }
    switch (policy) {
      case enums::SCHEDULE_OVERLAP_POLICY_BUFFER_ONE:
        if (d.new_buffer.empty()) {
          *d.new_buffer.Add() = start;
        } else {
          ++d.overlap_skipped;
        }
        break;
      case enums::SCHEDULE_OVERLAP_POLICY_BUFFER_ALL:
        *d.new_buffer.Add() = start;
        break;
      case enums::SCHEDULE_OVERLAP_POLICY_CANCEL_OTHER:
      case enums::SCHEDULE_OVERLAP_POLICY_TERMINATE_OTHER:
        if (running) {
          // Started once the running one has closed.
          (policy == enums::SCHEDULE_OVERLAP_POLICY_CANCEL_OTHER ? d.need_cancel : d.need_terminate) = true;
          *d.new_buffer.Add() = start;
        } else {
          d.non_overlapping = start;  // replaces the one about to start
        }
        break;
      default:  // skip
        ++d.overlap_skipped;
        break;
    }
  }
  // Cancelling or terminating would stop the overlapping ones too.
  if (d.need_cancel || d.need_terminate) d.overlapping.clear();
  return d;
}

}  // namespace zaman::worker::schedule

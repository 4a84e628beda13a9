#pragma once

#include <string>

#include "matching/matching_client.h"

namespace zaman::matching::testing {

// A workflow task of the namespace "ns" on `queue` (matching's tests).
inline TransferTask WorkflowTask(const std::string& queue, int64_t scheduled) {
  TransferTask task;
  task.set_kind(TransferTask::WORKFLOW_TASK);
  task.set_namespace_id("ns");
  task.mutable_task_queue()->set_name(queue);
  task.set_scheduled_event_id(scheduled);
  return task;
}

}  // namespace zaman::matching::testing

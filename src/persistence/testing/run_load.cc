#include "persistence/testing/run_load.h"

#include <filesystem>
#include <system_error>

#include <google/protobuf/util/time_util.h>

#include "absl/strings/str_cat.h"

namespace zaman::persistence::testing {
namespace {

std::string WorkflowId(int64_t i) { return absl::StrCat("load-", i); }
std::string RunId(int64_t i) { return absl::StrCat("run-", i); }

// Data that does not compress to nothing, the same for every run.
std::string Payload(int bytes) {
  std::string payload(static_cast<size_t>(bytes), ' ');
  for (int k = 0; k < bytes; ++k) payload[k] = static_cast<char>('a' + (k * 7 + k / 13) % 26);
  return payload;
}

}  // namespace

ExecutionUpdate NewRun(const std::string& namespace_id, int64_t i, int events, int payload_bytes) {
  ExecutionUpdate update;
  update.state.set_namespace_id(namespace_id);
  update.state.set_workflow_id(WorkflowId(i));
  update.state.set_run_id(RunId(i));
  update.state.set_next_event_id(events + 1);
  update.state.mutable_workflow_type()->set_name("LoadWorkflow");
  update.state.set_start_request_id(Payload(payload_bytes));
  update.set_current = true;
  const std::string data = Payload(payload_bytes);
  for (int id = 1; id <= events; ++id) {
    HistoryEvent& event = update.events.emplace_back();
    event.set_event_id(id);
    event.set_event_type(temporal::api::enums::v1::EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED);
    event.mutable_workflow_execution_signaled_event_attributes()->set_signal_name(data);
  }
  return update;
}

ExecutionDeletion DeleteRun(const std::string& namespace_id, int64_t i) {
  return ExecutionDeletion{namespace_id, WorkflowId(i), RunId(i), 1};
}

VisibilityRecord RunVisibility(const std::string& namespace_id, int64_t i) {
  using google::protobuf::util::TimeUtil;
  VisibilityRecord record;
  record.set_namespace_id(namespace_id);
  record.set_version(1);
  auto* info = record.mutable_info();
  info->mutable_execution()->set_workflow_id(WorkflowId(i));
  info->mutable_execution()->set_run_id(RunId(i));
  info->mutable_type()->set_name("LoadWorkflow");
  info->set_task_queue("load");
  info->set_status(temporal::api::enums::v1::WORKFLOW_EXECUTION_STATUS_COMPLETED);
  *info->mutable_start_time() = TimeUtil::SecondsToTimestamp(1'800'000'000 + i);
  *info->mutable_close_time() = TimeUtil::SecondsToTimestamp(1'800'000'060 + i);
  *info->mutable_execution_duration() = TimeUtil::SecondsToDuration(60);
  info->set_history_length(4);
  return record;
}

int64_t FileBytes(const std::string& path) {
  std::error_code error;
  const auto size = std::filesystem::file_size(path, error);
  return error ? 0 : static_cast<int64_t>(size);
}

int64_t WalBytes(const std::string& path) { return FileBytes(path + "-wal"); }

}  // namespace zaman::persistence::testing

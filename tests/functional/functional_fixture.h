#pragma once

// The fixture of the functional tests: frontend, history, matching and the
// worker role's schedules in one process, driven through the public gRPC
// API the way an SDK drives them, on a fake clock: timers and timeouts fire
// only when the test moves time.
#include <grpcpp/create_channel.h>
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/thread_pool.h"
#include "common/timer_service.h"
#include "frontend/frontend_server.h"
#include "history/history_engine.h"
#include "matching/matching_host.h"
#include "persistence/store.h"
#include "persistence/testing/faulty_execution_store.h"
#include "temporal/api/command/v1/message.pb.h"
#include "temporal/api/update/v1/message.pb.h"
#include "temporal/api/workflowservice/v1/service.grpc.pb.h"
#include "worker/schedule/history_actions.h"
#include "worker/schedule/schedule_service.h"

namespace zaman::functional {

namespace wsv1 = ::temporal::api::workflowservice::v1;
namespace enums = ::temporal::api::enums::v1;
using temporal::api::command::v1::Command;
using temporal::api::history::v1::HistoryEvent;

class FunctionalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = *persistence::OpenStore({"memory", ""});
    namespaces_ = std::make_unique<frontend::NamespaceHandler>(store_->namespaces(), clock_, random_, "active");
    ASSERT_TRUE(namespaces_->Ensure("default", absl::Hours(24)).ok());
    registry_ = std::make_unique<frontend::NamespaceRegistry>(store_->namespaces());
    matching_ = std::make_unique<matching::MatchingHost>(clock_, timers_);
    executions_ = std::make_unique<persistence::testing::FaultyExecutionStore>(store_->executions());
    history_ = std::make_unique<history::HistoryEngine>(*executions_, store_->visibility(), clock_, timers_, random_, 2,
                                                        *matching_, pool_);
    ASSERT_TRUE(history_->Start().ok());
    schedule_actions_ = std::make_unique<worker::schedule::HistoryWorkflowActions>(
        *history_, [this](const std::string& name) { return registry_->Resolve(name); });
    schedules_ = std::make_unique<worker::schedule::ScheduleService>(store_->jobs(), store_->visibility(),
                                                                     *schedule_actions_, clock_, timers_, pool_, random_);
    schedules_->Start();
    frontend::FrontendOptions options;
    options.port = 0;
    auto server = frontend::FrontendServer::Start(
        options,
        {*namespaces_, *registry_, *history_, *matching_, pool_, clock_, timers_, random_,
         store_->visibility(), store_->namespaces(), schedules_.get(), &store_->jobs()},
        {"test", {"active", "cid", 2, clock_.Now()}, "memory"});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    stub_ = wsv1::WorkflowService::NewStub(grpc::CreateChannel(
        "127.0.0.1:" + std::to_string(server_->port()), grpc::InsecureChannelCredentials()));
  }

  void TearDown() override {
    schedules_->Stop();
    matching_->Shutdown();
    server_.reset();
    history_->Stop();
  }

  // Moves time and fires what came due. A fired timer commits on a shard
  // thread and may arm timers already due (a retry after a timeout), so
  // this fires again until a round finds nothing.
  void Advance(absl::Duration d) {
    clock_.Advance(d);
    int quiet_rounds = 0;
    while (quiet_rounds < 5) {
      quiet_rounds = timers_.RunDue() == 0 ? quiet_rounds + 1 : 0;
      absl::SleepFor(absl::Milliseconds(10));
    }
  }

  std::unique_ptr<grpc::ClientContext> Context() {
    auto context = std::make_unique<grpc::ClientContext>();
    context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    return context;
  }

  std::string Start(const std::string& id,
                    const std::function<void(wsv1::StartWorkflowExecutionRequest&)>& options = nullptr) {
    wsv1::StartWorkflowExecutionRequest request;
    request.set_namespace_("default");
    request.set_workflow_id(id);
    request.mutable_workflow_type()->set_name("Flow");
    request.mutable_task_queue()->set_name("q");
    request.set_identity("starter");
    if (options) options(request);
    wsv1::StartWorkflowExecutionResponse response;
    grpc::Status status = stub_->StartWorkflowExecution(Context().get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.run_id();
  }

  wsv1::PollWorkflowTaskQueueResponse PollWorkflowTask() {
    wsv1::PollWorkflowTaskQueueResponse response;
    grpc::Status status = PollWorkflowTaskOn("q", enums::TASK_QUEUE_KIND_NORMAL, Context().get(), &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  grpc::Status PollWorkflowTaskOn(const std::string& queue, enums::TaskQueueKind kind, grpc::ClientContext* context,
                                  wsv1::PollWorkflowTaskQueueResponse* response) {
    wsv1::PollWorkflowTaskQueueRequest request;
    request.set_namespace_("default");
    request.mutable_task_queue()->set_name(queue);
    request.mutable_task_queue()->set_kind(kind);
    if (kind == enums::TASK_QUEUE_KIND_STICKY) request.mutable_task_queue()->set_normal_name("q");
    request.set_identity("worker");
    return stub_->PollWorkflowTaskQueue(context, request, response);
  }

  wsv1::PollActivityTaskQueueResponse PollActivityTask() {
    wsv1::PollActivityTaskQueueRequest request;
    request.set_namespace_("default");
    request.mutable_task_queue()->set_name("q");
    request.set_identity("worker");
    wsv1::PollActivityTaskQueueResponse response;
    grpc::Status status = stub_->PollActivityTaskQueue(Context().get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  // `sticky_queue`: the worker keeps the run cached and asks for its next
  // tasks there.
  grpc::Status Complete(const std::string& token, std::vector<Command> commands, const std::string& sticky_queue = "") {
    wsv1::RespondWorkflowTaskCompletedRequest request;
    request.set_namespace_("default");
    request.set_task_token(token);
    request.set_identity("worker");
    for (auto& c : commands) *request.add_commands() = std::move(c);
    if (!sticky_queue.empty()) {
      auto* sticky = request.mutable_sticky_attributes();
      sticky->mutable_worker_task_queue()->set_name(sticky_queue);
      sticky->mutable_worker_task_queue()->set_kind(enums::TASK_QUEUE_KIND_STICKY);
      sticky->mutable_schedule_to_start_timeout()->set_seconds(5);
    }
    wsv1::RespondWorkflowTaskCompletedResponse response;
    return stub_->RespondWorkflowTaskCompleted(Context().get(), request, &response);
  }

  std::vector<HistoryEvent> History(const std::string& id, const std::string& run_id = "") {
    wsv1::GetWorkflowExecutionHistoryRequest request;
    request.set_namespace_("default");
    request.mutable_execution()->set_workflow_id(id);
    request.mutable_execution()->set_run_id(run_id);
    wsv1::GetWorkflowExecutionHistoryResponse response;
    grpc::Status status = stub_->GetWorkflowExecutionHistory(Context().get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return {response.history().events().begin(), response.history().events().end()};
  }

  bool IsOpenRun(const std::string& id) {
    std::vector<HistoryEvent> events = History(id);
    return !events.empty() && events.back().event_type() != enums::EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT;
  }

  static std::vector<enums::EventType> Types(const std::vector<HistoryEvent>& events) {
    std::vector<enums::EventType> types;
    for (const auto& e : events) types.push_back(e.event_type());
    return types;
  }

  static Command StartTimer(const std::string& id, int64_t seconds) {
    Command timer;
    timer.set_command_type(enums::COMMAND_TYPE_START_TIMER);
    timer.mutable_start_timer_command_attributes()->set_timer_id(id);
    timer.mutable_start_timer_command_attributes()->mutable_start_to_fire_timeout()->set_seconds(seconds);
    return timer;
  }

  static Command CompleteWorkflow() {
    Command done;
    done.set_command_type(enums::COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION);
    return done;
  }

  FakeClock clock_{absl::Now()};
  TimerService timers_{clock_, false};
  Random random_{11};
  ThreadPool pool_{2};
  std::unique_ptr<persistence::Store> store_;
  std::unique_ptr<persistence::testing::FaultyExecutionStore> executions_;
  std::unique_ptr<frontend::NamespaceHandler> namespaces_;
  std::unique_ptr<frontend::NamespaceRegistry> registry_;
  std::unique_ptr<matching::MatchingHost> matching_;
  std::unique_ptr<history::HistoryEngine> history_;
  std::unique_ptr<worker::schedule::HistoryWorkflowActions> schedule_actions_;
  std::unique_ptr<worker::schedule::ScheduleService> schedules_;
  std::unique_ptr<frontend::FrontendServer> server_;
  std::unique_ptr<wsv1::WorkflowService::Stub> stub_;
};

}  // namespace zaman::functional

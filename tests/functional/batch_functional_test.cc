// Batch operations end to end: StartBatchOperation and friends through the
// public gRPC API, the worker role's BatchRunner doing the work, on a fake
// clock, so that rates and leases are exact.
#include <algorithm>
#include <atomic>

#include "functional/functional_fixture.h"
#include "worker/batch/batch_runner.h"

namespace zaman {
namespace {

namespace wsv1 = functional::wsv1;
namespace enums = functional::enums;
using functional::HistoryEvent;
using worker::batch::BatchRunner;

// The store's jobs, with a way to lose the next writes: a runner whose
// progress write fails is a runner killed after acting and before recording
// that it did.
class LosingJobStore final : public persistence::JobStore {
 public:
  explicit LosingJobStore(persistence::JobStore& real) : real_(real) {}

  // The update after the next `pass` ones fails (and those after it, up
  // to `count`).
  void LoseUpdates(int pass, int count) {
    pass_ = pass;
    lose_ = count;
  }

  absl::Status CreateJob(const persistence::StoredJob& job) override { return real_.CreateJob(job); }
  absl::StatusOr<persistence::StoredJob> GetJob(absl::string_view ns, absl::string_view kind,
                                                absl::string_view id) override {
    return real_.GetJob(ns, kind, id);
  }
  absl::Status UpdateJob(const persistence::StoredJob& job, int64_t expected_version) override {
    if (pass_ > 0) {
      --pass_;
    } else if (lose_ > 0) {
      --lose_;
      return absl::UnavailableError("lost");
    }
    return real_.UpdateJob(job, expected_version);
  }
  absl::Status DeleteJob(absl::string_view ns, absl::string_view kind, absl::string_view id) override {
    return real_.DeleteJob(ns, kind, id);
  }
  absl::StatusOr<std::vector<persistence::StoredJob>> DueJobs(absl::string_view kind, absl::Time until,
                                                              int limit) override {
    return real_.DueJobs(kind, until, limit);
  }
  absl::StatusOr<persistence::JobPage> ListJobs(absl::string_view ns, absl::string_view kind, int page_size,
                                                absl::string_view token) override {
    return real_.ListJobs(ns, kind, page_size, token);
  }

 private:
  persistence::JobStore& real_;
  std::atomic<int> pass_{0};
  std::atomic<int> lose_{0};
};

class BatchFunctionalTest : public functional::FunctionalTest {
 protected:
  void SetUp() override {
    FunctionalTest::SetUp();
    jobs_ = std::make_unique<LosingJobStore>(store_->jobs());
    runner_ = NewRunner();
  }

  void TearDown() override {
    runner_.reset();
    FunctionalTest::TearDown();
  }

  std::unique_ptr<BatchRunner> NewRunner() {
    return std::make_unique<BatchRunner>(*jobs_, store_->namespaces(), store_->visibility(), *history_, clock_,
                                         timers_, pool_);
  }

  // Starts runs `<prefix>-0`… of `type`, and waits until visibility lists them.
  std::vector<std::string> StartRuns(const std::string& prefix, int n, const std::string& type = "Order") {
    std::vector<std::string> run_ids;
    for (int i = 0; i < n; ++i) {
      wsv1::StartWorkflowExecutionRequest request;
      request.set_namespace_("default");
      request.set_workflow_id(prefix + "-" + std::to_string(i));
      request.mutable_workflow_type()->set_name(type);
      request.mutable_task_queue()->set_name("q");
      wsv1::StartWorkflowExecutionResponse response;
      grpc::Status status = stub_->StartWorkflowExecution(Context().get(), request, &response);
      EXPECT_TRUE(status.ok()) << status.error_message();
      run_ids.push_back(response.run_id());
    }
    const std::string query = "WorkflowId STARTS_WITH '" + prefix + "-'";
    for (int i = 0; i < 200 && Count(query) < n; ++i) absl::SleepFor(absl::Milliseconds(10));
    EXPECT_EQ(Count(query), n);
    return run_ids;
  }

  int64_t Count(const std::string& query) {
    wsv1::CountWorkflowExecutionsRequest request;
    request.set_namespace_("default");
    request.set_query(query);
    wsv1::CountWorkflowExecutionsResponse response;
    EXPECT_TRUE(stub_->CountWorkflowExecutions(Context().get(), request, &response).ok());
    return response.count();
  }

  // The current run's events; none when there is no such workflow.
  std::vector<HistoryEvent> EventsOrNone(const std::string& id) {
    wsv1::GetWorkflowExecutionHistoryRequest request;
    request.set_namespace_("default");
    request.mutable_execution()->set_workflow_id(id);
    wsv1::GetWorkflowExecutionHistoryResponse response;
    grpc::Status status = stub_->GetWorkflowExecutionHistory(Context().get(), request, &response);
    if (!status.ok()) return {};
    return {response.history().events().begin(), response.history().events().end()};
  }

  int EventsOf(const std::string& id, enums::EventType type) {
    std::vector<HistoryEvent> events = EventsOrNone(id);
    return static_cast<int>(
        std::count_if(events.begin(), events.end(), [type](const HistoryEvent& e) { return e.event_type() == type; }));
  }

  static wsv1::StartBatchOperationRequest Batch(const std::string& job_id) {
    wsv1::StartBatchOperationRequest request;
    request.set_namespace_("default");
    request.set_job_id(job_id);
    request.set_reason("tidy up");
    return request;
  }

  static wsv1::StartBatchOperationRequest SignalBatch(const std::string& job_id) {
    wsv1::StartBatchOperationRequest request = Batch(job_id);
    request.mutable_signal_operation()->set_signal("poke");
    request.mutable_signal_operation()->set_identity("operator");
    return request;
  }

  // Starts signalling the Order runs at `rate` a second.
  void SignalOrders(const std::string& job_id, float rate) {
    wsv1::StartBatchOperationRequest request = SignalBatch(job_id);
    request.set_visibility_query("WorkflowType = 'Order'");
    request.set_max_operations_per_second(rate);
    grpc::Status started = StartBatch(request);
    ASSERT_TRUE(started.ok()) << started.error_message();
  }

  grpc::Status StartBatch(const wsv1::StartBatchOperationRequest& request) {
    wsv1::StartBatchOperationResponse response;
    return stub_->StartBatchOperation(Context().get(), request, &response);
  }

  wsv1::DescribeBatchOperationResponse Describe(const std::string& job_id) {
    wsv1::DescribeBatchOperationRequest request;
    request.set_namespace_("default");
    request.set_job_id(job_id);
    wsv1::DescribeBatchOperationResponse response;
    grpc::Status status = stub_->DescribeBatchOperation(Context().get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  grpc::Status Stop(const std::string& job_id) {
    wsv1::StopBatchOperationRequest request;
    request.set_namespace_("default");
    request.set_job_id(job_id);
    request.set_reason("enough");
    request.set_identity("operator");
    wsv1::StopBatchOperationResponse response;
    return stub_->StopBatchOperation(Context().get(), request, &response);
  }

  std::unique_ptr<LosingJobStore> jobs_;
  std::unique_ptr<BatchRunner> runner_;
};

TEST_F(BatchFunctionalTest, TerminateByQueryEndsExactlyTheMatchingRuns) {
  StartRuns("order", 5, "Order");
  StartRuns("invoice", 3, "Invoice");
  wsv1::StartBatchOperationRequest request = Batch("terminate-orders");
  request.set_visibility_query("WorkflowType = 'Order'");
  request.mutable_termination_operation()->set_identity("operator");
  grpc::Status started = StartBatch(request);
  ASSERT_TRUE(started.ok()) << started.error_message();
  EXPECT_EQ(Describe("terminate-orders").state(), enums::BATCH_OPERATION_STATE_RUNNING);

  // The runner polls on the clock; its passes run on the pool.
  runner_->Start();
  wsv1::DescribeBatchOperationResponse done;
  for (int i = 0; i < 200 && done.state() != enums::BATCH_OPERATION_STATE_COMPLETED; ++i) {
    clock_.Advance(absl::Seconds(1));
    timers_.RunDue();
    absl::SleepFor(absl::Milliseconds(20));
    done = Describe("terminate-orders");
  }
  EXPECT_EQ(done.state(), enums::BATCH_OPERATION_STATE_COMPLETED);
  EXPECT_EQ(done.operation_type(), enums::BATCH_OPERATION_TYPE_TERMINATE);
  EXPECT_EQ(done.total_operation_count(), 5);
  EXPECT_EQ(done.complete_operation_count(), 5);
  EXPECT_EQ(done.failure_operation_count(), 0);
  EXPECT_EQ(done.identity(), "operator");
  EXPECT_EQ(done.reason(), "tidy up");
  EXPECT_EQ(done.query(), "WorkflowType = 'Order'");
  EXPECT_TRUE(done.has_close_time());
  for (int i = 0; i < 5; ++i) {
    std::vector<HistoryEvent> events = EventsOrNone("order-" + std::to_string(i));
    ASSERT_FALSE(events.empty());
    EXPECT_EQ(events.back().event_type(), enums::EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED);
    EXPECT_EQ(events.back().workflow_execution_terminated_event_attributes().reason(), "tidy up");
    EXPECT_EQ(events.back().workflow_execution_terminated_event_attributes().identity(), "operator");
  }
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(EventsOf("invoice-" + std::to_string(i), enums::EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED), 0);
  }

  wsv1::ListBatchOperationsRequest list;
  list.set_namespace_("default");
  wsv1::ListBatchOperationsResponse listed;
  ASSERT_TRUE(stub_->ListBatchOperations(Context().get(), list, &listed).ok());
  ASSERT_EQ(listed.operation_info_size(), 1);
  EXPECT_EQ(listed.operation_info(0).job_id(), "terminate-orders");
  EXPECT_EQ(listed.operation_info(0).state(), enums::BATCH_OPERATION_STATE_COMPLETED);

  // The job id is taken for good.
  grpc::Status again = StartBatch(request);
  EXPECT_EQ(again.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(again.error_message(),
            "Workflow execution already finished. WorkflowId: terminate-orders. Workflow Id reuse policy: reject "
            "duplicate workflow Id.");
}

TEST_F(BatchFunctionalTest, SignalByExecutionsReachesOnlyTheNamedRunsOnce) {
  std::vector<std::string> runs = StartRuns("flow", 3);
  wsv1::StartBatchOperationRequest request = SignalBatch("signal-two");
  auto* first = request.add_executions();
  first->set_workflow_id("flow-0");
  first->set_run_id(runs[0]);
  request.add_executions()->set_workflow_id("flow-2");  // its current run
  request.mutable_signal_operation()->mutable_input()->add_payloads()->set_data("\"hello\"");
  ASSERT_TRUE(StartBatch(request).ok());
  EXPECT_EQ(runner_->RunDue(), 2);

  wsv1::DescribeBatchOperationResponse done = Describe("signal-two");
  EXPECT_EQ(done.state(), enums::BATCH_OPERATION_STATE_COMPLETED);
  EXPECT_EQ(done.operation_type(), enums::BATCH_OPERATION_TYPE_SIGNAL);
  EXPECT_EQ(done.complete_operation_count(), 2);
  ASSERT_EQ(done.executions_size(), 2);
  EXPECT_EQ(done.executions(0).business_id(), "flow-0");
  for (const std::string id : {"flow-0", "flow-2"}) {
    std::vector<HistoryEvent> events = EventsOrNone(id);
    auto signalled = std::find_if(events.begin(), events.end(), [](const HistoryEvent& e) {
      return e.event_type() == enums::EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED;
    });
    ASSERT_NE(signalled, events.end()) << id;
    EXPECT_EQ(signalled->workflow_execution_signaled_event_attributes().signal_name(), "poke");
    EXPECT_EQ(signalled->workflow_execution_signaled_event_attributes().input().payloads(0).data(), "\"hello\"");
    EXPECT_EQ(signalled->workflow_execution_signaled_event_attributes().identity(), "operator");
    EXPECT_EQ(EventsOf(id, enums::EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED), 1);
  }
  EXPECT_EQ(EventsOf("flow-1", enums::EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED), 0);
}

TEST_F(BatchFunctionalTest, TheRateLimitPacesTheWorkOnTheClock) {
  StartRuns("paced", 6);
  SignalOrders("paced-signals", 2);

  EXPECT_EQ(runner_->RunDue(), 2);
  EXPECT_EQ(runner_->RunDue(), 0) << "no time has passed";
  wsv1::DescribeBatchOperationResponse running = Describe("paced-signals");
  EXPECT_EQ(running.state(), enums::BATCH_OPERATION_STATE_RUNNING);
  EXPECT_EQ(running.total_operation_count(), 6);
  EXPECT_EQ(running.complete_operation_count(), 2);
  clock_.Advance(absl::Milliseconds(500));
  EXPECT_EQ(runner_->RunDue(), 1);
  clock_.Advance(absl::Milliseconds(500));
  EXPECT_EQ(runner_->RunDue(), 1);
  clock_.Advance(absl::Seconds(1));
  EXPECT_EQ(runner_->RunDue(), 2);
  EXPECT_EQ(Describe("paced-signals").complete_operation_count(), 6);
  clock_.Advance(absl::Seconds(1));
  EXPECT_EQ(runner_->RunDue(), 0);
  EXPECT_EQ(Describe("paced-signals").state(), enums::BATCH_OPERATION_STATE_COMPLETED);
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(EventsOf("paced-" + std::to_string(i), enums::EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED), 1);
  }
}

TEST_F(BatchFunctionalTest, StopEndsTheJobAndNothingMoreIsDone) {
  StartRuns("stopped", 4);
  SignalOrders("to-stop", 1);
  EXPECT_EQ(runner_->RunDue(), 1);

  ASSERT_TRUE(Stop("to-stop").ok());
  wsv1::DescribeBatchOperationResponse stopped = Describe("to-stop");
  EXPECT_EQ(stopped.state(), enums::BATCH_OPERATION_STATE_FAILED);
  EXPECT_TRUE(stopped.has_close_time());
  EXPECT_EQ(stopped.complete_operation_count(), 1);
  for (int i = 0; i < 5; ++i) {
    clock_.Advance(absl::Seconds(1));
    EXPECT_EQ(runner_->RunDue(), 0);
  }
  int signalled = 0;
  for (int i = 0; i < 4; ++i) {
    signalled += EventsOf("stopped-" + std::to_string(i), enums::EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED);
  }
  EXPECT_EQ(signalled, 1);
  EXPECT_EQ(Stop("to-stop").error_code(), grpc::StatusCode::NOT_FOUND) << "it has ended";
  EXPECT_EQ(Stop("no-such-job").error_code(), grpc::StatusCode::NOT_FOUND);

  // The namespace may run another now; the stopped one is kept until its
  // retention (24 h) runs out.
  wsv1::StartBatchOperationRequest next = SignalBatch("after-stop");
  next.set_visibility_query("WorkflowType = 'Nothing'");
  EXPECT_TRUE(StartBatch(next).ok());
  clock_.Advance(absl::Hours(25));
  runner_->RunDue();
  wsv1::DescribeBatchOperationRequest describe;
  describe.set_namespace_("default");
  describe.set_job_id("to-stop");
  wsv1::DescribeBatchOperationResponse gone;
  EXPECT_EQ(stub_->DescribeBatchOperation(Context().get(), describe, &gone).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(BatchFunctionalTest, ARunnerRestartedMidJobFinishesItWithoutActingTwice) {
  StartRuns("resumed", 6);
  SignalOrders("resumed-signals", 2);
  EXPECT_EQ(runner_->RunDue(), 2);

  // The second pass signals two more runs, then dies before its progress
  // is written (the claim before it is written; the checkpoint is not).
  clock_.Advance(absl::Seconds(1));
  jobs_->LoseUpdates(1, 1);
  EXPECT_EQ(runner_->RunDue(), 2);
  runner_ = NewRunner();
  EXPECT_EQ(Describe("resumed-signals").complete_operation_count(), 2) << "as last recorded";

  clock_.Advance(absl::Seconds(1));
  EXPECT_EQ(runner_->RunDue(), 0) << "the dead runner's lease still holds";
  for (int i = 0; i < 40 && Describe("resumed-signals").state() == enums::BATCH_OPERATION_STATE_RUNNING; ++i) {
    clock_.Advance(absl::Seconds(1));
    runner_->RunDue();
  }
  wsv1::DescribeBatchOperationResponse done = Describe("resumed-signals");
  EXPECT_EQ(done.state(), enums::BATCH_OPERATION_STATE_COMPLETED);
  EXPECT_EQ(done.complete_operation_count(), 6);
  EXPECT_EQ(done.failure_operation_count(), 0);
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(EventsOf("resumed-" + std::to_string(i), enums::EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED), 1)
        << "resumed-" << i;
  }
}

TEST_F(BatchFunctionalTest, CancelAndDeleteByQuery) {
  StartRuns("cancelled", 2, "Cancelled");
  StartRuns("deleted", 2, "Deleted");
  wsv1::StartBatchOperationRequest cancel = Batch("cancel");
  cancel.set_visibility_query("WorkflowType = 'Cancelled'");
  cancel.mutable_cancellation_operation()->set_identity("operator");
  ASSERT_TRUE(StartBatch(cancel).ok());
  EXPECT_EQ(runner_->RunDue(), 2);
  EXPECT_EQ(Describe("cancel").state(), enums::BATCH_OPERATION_STATE_COMPLETED);
  for (const std::string id : {"cancelled-0", "cancelled-1"}) {
    EXPECT_EQ(EventsOf(id, enums::EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED), 1) << id;
  }

  wsv1::StartBatchOperationRequest remove = Batch("delete");
  remove.set_visibility_query("WorkflowType = 'Deleted'");
  remove.mutable_deletion_operation();
  ASSERT_TRUE(StartBatch(remove).ok());
  EXPECT_EQ(runner_->RunDue(), 2);
  EXPECT_EQ(Describe("delete").complete_operation_count(), 2);
  EXPECT_TRUE(EventsOrNone("deleted-0").empty());
  EXPECT_TRUE(EventsOrNone("deleted-1").empty());
  EXPECT_FALSE(EventsOrNone("cancelled-0").empty());
}

TEST_F(BatchFunctionalTest, ResetStartsANewRunFromTheFirstWorkflowTask) {
  StartRuns("reset", 1);
  wsv1::PollWorkflowTaskQueueRequest poll;
  poll.set_namespace_("default");
  poll.mutable_task_queue()->set_name("q");
  wsv1::PollWorkflowTaskQueueResponse task;
  ASSERT_TRUE(stub_->PollWorkflowTaskQueue(Context().get(), poll, &task).ok());
  wsv1::RespondWorkflowTaskCompletedRequest complete;
  complete.set_namespace_("default");
  complete.set_task_token(task.task_token());
  wsv1::RespondWorkflowTaskCompletedResponse completed;
  ASSERT_TRUE(stub_->RespondWorkflowTaskCompleted(Context().get(), complete, &completed).ok());
  const std::string old_run = task.workflow_execution().run_id();

  wsv1::StartBatchOperationRequest request = Batch("reset");
  request.add_executions()->set_workflow_id("reset-0");
  request.mutable_reset_operation()->mutable_options()->mutable_first_workflow_task();
  ASSERT_TRUE(StartBatch(request).ok());
  EXPECT_EQ(runner_->RunDue(), 1);
  EXPECT_EQ(Describe("reset").complete_operation_count(), 1);
  wsv1::DescribeWorkflowExecutionRequest describe;
  describe.set_namespace_("default");
  describe.mutable_execution()->set_workflow_id("reset-0");
  wsv1::DescribeWorkflowExecutionResponse current;
  ASSERT_TRUE(stub_->DescribeWorkflowExecution(Context().get(), describe, &current).ok());
  EXPECT_NE(current.workflow_execution_info().execution().run_id(), old_run);
  std::vector<HistoryEvent> events = EventsOrNone("reset-0");
  EXPECT_EQ(events.back().event_type(), enums::EVENT_TYPE_WORKFLOW_TASK_SCHEDULED);
}

TEST_F(BatchFunctionalTest, BadRequestsGetTemporalsErrors) {
  auto message_of = [&](const wsv1::StartBatchOperationRequest& request, grpc::StatusCode code) {
    grpc::Status status = StartBatch(request);
    EXPECT_EQ(status.error_code(), code) << status.error_message();
    return status.error_message();
  };
  wsv1::StartBatchOperationRequest no_reason = SignalBatch("j");
  no_reason.set_visibility_query("WorkflowType = 'Order'");
  no_reason.clear_reason();
  EXPECT_EQ(message_of(no_reason, grpc::StatusCode::INVALID_ARGUMENT),
            "must provide required parameters: BatchType/Reason/Namespace/Query/Executions");
  wsv1::StartBatchOperationRequest neither = SignalBatch("j");
  EXPECT_EQ(message_of(neither, grpc::StatusCode::INVALID_ARGUMENT),
            "must provide required parameters: BatchType/Reason/Namespace/Query/Executions");
  wsv1::StartBatchOperationRequest both = SignalBatch("j");
  both.set_visibility_query("WorkflowType = 'Order'");
  both.add_executions()->set_workflow_id("x");
  EXPECT_EQ(message_of(both, grpc::StatusCode::INVALID_ARGUMENT), "batch query and executions are mutually exclusive");
  wsv1::StartBatchOperationRequest no_job = SignalBatch("");
  no_job.set_visibility_query("WorkflowType = 'Order'");
  EXPECT_EQ(message_of(no_job, grpc::StatusCode::INVALID_ARGUMENT), "JobId is not set on request.");
  wsv1::StartBatchOperationRequest no_signal = Batch("j");
  no_signal.set_visibility_query("WorkflowType = 'Order'");
  no_signal.mutable_signal_operation();
  EXPECT_EQ(message_of(no_signal, grpc::StatusCode::INVALID_ARGUMENT), "must provide signal name");
  wsv1::StartBatchOperationRequest bad_query = SignalBatch("j");
  bad_query.set_visibility_query("WorkflowType = ");
  message_of(bad_query, grpc::StatusCode::INVALID_ARGUMENT);
  wsv1::StartBatchOperationRequest options = Batch("j");
  options.set_visibility_query("WorkflowType = 'Order'");
  options.mutable_update_workflow_options_operation();
  message_of(options, grpc::StatusCode::UNIMPLEMENTED);

  // One at a time per namespace, as Temporal's default allows.
  wsv1::StartBatchOperationRequest first = SignalBatch("first");
  first.set_visibility_query("WorkflowType = 'Order'");
  ASSERT_TRUE(StartBatch(first).ok());
  wsv1::StartBatchOperationRequest second = SignalBatch("second");
  second.set_visibility_query("WorkflowType = 'Order'");
  EXPECT_EQ(message_of(second, grpc::StatusCode::RESOURCE_EXHAUSTED), "Max concurrent batch operations is reached");

  wsv1::StopBatchOperationRequest stop;
  stop.set_namespace_("default");
  stop.set_job_id("first");
  wsv1::StopBatchOperationResponse stopped;
  grpc::Status no_stop_reason = stub_->StopBatchOperation(Context().get(), stop, &stopped);
  EXPECT_EQ(no_stop_reason.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(no_stop_reason.error_message(), "Reason is not set on request.");
}

}  // namespace
}  // namespace zaman

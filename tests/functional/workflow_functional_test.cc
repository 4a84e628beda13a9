// Functional tests: frontend, history and matching in one process, driven
// through the public gRPC API the way an SDK drives them, on a fake clock:
// timers and timeouts fire only when the test moves time.
#include <algorithm>
#include <functional>
#include <thread>

#include "functional/functional_fixture.h"
#include "worker/retention.h"

namespace zaman {
namespace {

namespace wsv1 = functional::wsv1;
namespace enums = functional::enums;
using functional::Command;
using functional::HistoryEvent;

class WorkflowFunctionalTest : public functional::FunctionalTest {};

TEST_F(WorkflowFunctionalTest, AnHourLongTimerFiresWhenTheClockSaysSo) {
  Start("timer-flow");
  wsv1::PollWorkflowTaskQueueResponse first = PollWorkflowTask();
  ASSERT_EQ(first.history().events_size(), 3);
  EXPECT_EQ(first.started_event_id(), 3);
  EXPECT_EQ(first.attempt(), 1);

  Command timer;
  timer.set_command_type(enums::COMMAND_TYPE_START_TIMER);
  timer.mutable_start_timer_command_attributes()->set_timer_id("t1");
  timer.mutable_start_timer_command_attributes()->mutable_start_to_fire_timeout()->set_seconds(3600);
  ASSERT_TRUE(Complete(first.task_token(), {timer}).ok());

  Advance(absl::Minutes(59));
  EXPECT_EQ(History("timer-flow").size(), 5u) << "the timer fired early";

  Advance(absl::Minutes(2));
  wsv1::PollWorkflowTaskQueueResponse second = PollWorkflowTask();
  ASSERT_GE(second.history().events_size(), 8);
  const HistoryEvent& fired = second.history().events(5);
  ASSERT_EQ(fired.event_type(), enums::EVENT_TYPE_TIMER_FIRED);
  EXPECT_EQ(fired.timer_fired_event_attributes().timer_id(), "t1");
  EXPECT_EQ(fired.timer_fired_event_attributes().started_event_id(), 5);
  EXPECT_EQ(second.previous_started_event_id(), 3);

  Command done;
  done.set_command_type(enums::COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION);
  ASSERT_TRUE(Complete(second.task_token(), {done}).ok());
  EXPECT_EQ(Types(History("timer-flow")),
            (std::vector<enums::EventType>{
                enums::EVENT_TYPE_WORKFLOW_EXECUTION_STARTED, enums::EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
                enums::EVENT_TYPE_WORKFLOW_TASK_STARTED, enums::EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
                enums::EVENT_TYPE_TIMER_STARTED, enums::EVENT_TYPE_TIMER_FIRED,
                enums::EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, enums::EVENT_TYPE_WORKFLOW_TASK_STARTED,
                enums::EVENT_TYPE_WORKFLOW_TASK_COMPLETED, enums::EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED}));
  // A completion with a stale token is NotFound, as the SDKs expect.
  EXPECT_EQ(Complete(second.task_token(), {done}).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(WorkflowFunctionalTest, ATimerThatFiresWhileTheStoreIsAwayFiresOnceItIsBack) {
  Start("timer-outage");
  ASSERT_TRUE(Complete(PollWorkflowTask().task_token(), {StartTimer("t1", 60)}).ok());
  // The store is away: every commit fails (the stale workflow-task timeout
  // fires too, alone or in the timer's group commit, so count at least).
  executions_->FailNextCommits(1000);
  Advance(absl::Seconds(61));
  const int tried = executions_->failed_commits();
  EXPECT_GE(tried, 1) << "the timer tried to fire";
  Advance(absl::Seconds(1));
  EXPECT_GT(executions_->failed_commits(), tried) << "and tried again a second later";
  executions_->FailNextCommits(0);  // back
  Advance(absl::Seconds(1));
  wsv1::PollWorkflowTaskQueueResponse next = PollWorkflowTask();
  std::vector<HistoryEvent> events = History("timer-outage");
  EXPECT_EQ(std::count_if(events.begin(), events.end(),
                          [](const HistoryEvent& e) { return e.event_type() == enums::EVENT_TYPE_TIMER_FIRED; }),
            1);
  ASSERT_TRUE(Complete(next.task_token(), {CompleteWorkflow()}).ok());
}

TEST_F(WorkflowFunctionalTest, TasksOfACommitWhoseOutcomeWasUnknownRunOnceTheStoreAnswers) {
  executions_->LoseReplyOfNextCommit();
  wsv1::StartWorkflowExecutionRequest request;
  request.set_namespace_("default");
  request.set_workflow_id("unknown-outcome");
  request.mutable_workflow_type()->set_name("Flow");
  request.mutable_task_queue()->set_name("q");
  request.set_request_id("start-1");
  wsv1::StartWorkflowExecutionResponse response;
  EXPECT_EQ(stub_->StartWorkflowExecution(Context().get(), request, &response).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  // The start was written all the same: its first workflow task reaches a
  // worker once the shard has read its outbox back.
  Advance(absl::Seconds(1));
  wsv1::PollWorkflowTaskQueueResponse task = PollWorkflowTask();
  EXPECT_EQ(task.workflow_execution().workflow_id(), "unknown-outcome");
  // The SDK's retry of the start, with the same request id, finds that run.
  grpc::Status retried = stub_->StartWorkflowExecution(Context().get(), request, &response);
  ASSERT_TRUE(retried.ok()) << retried.error_message();
  EXPECT_EQ(response.run_id(), task.workflow_execution().run_id());
  ASSERT_TRUE(Complete(task.task_token(), {CompleteWorkflow()}).ok());
}

TEST_F(WorkflowFunctionalTest, ActivityTimesOutRetriesOnceThenFailsTheStep) {
  Start("activity-flow");
  wsv1::PollWorkflowTaskQueueResponse first = PollWorkflowTask();
  Command schedule;
  schedule.set_command_type(enums::COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK);
  auto* a = schedule.mutable_schedule_activity_task_command_attributes();
  a->set_activity_id("a1");
  a->mutable_activity_type()->set_name("Slow");
  a->mutable_start_to_close_timeout()->set_seconds(10);
  a->mutable_retry_policy()->set_maximum_attempts(2);
  ASSERT_TRUE(Complete(first.task_token(), {schedule}).ok());

  wsv1::PollActivityTaskQueueResponse attempt1 = PollActivityTask();
  EXPECT_EQ(attempt1.attempt(), 1);
  EXPECT_EQ(attempt1.start_to_close_timeout().seconds(), 10);
  EXPECT_EQ(attempt1.retry_policy().initial_interval().seconds(), 1);  // server-filled default

  Advance(absl::Seconds(11));  // start-to-close passes: retry in 1 s
  Advance(absl::Seconds(2));
  wsv1::PollActivityTaskQueueResponse attempt2 = PollActivityTask();
  EXPECT_EQ(attempt2.attempt(), 2);

  // The first attempt's token is stale now.
  wsv1::RespondActivityTaskCompletedRequest late;
  late.set_namespace_("default");
  late.set_task_token(attempt1.task_token());
  wsv1::RespondActivityTaskCompletedResponse ignored;
  EXPECT_EQ(stub_->RespondActivityTaskCompleted(Context().get(), late, &ignored).error_code(),
            grpc::StatusCode::NOT_FOUND);

  Advance(absl::Seconds(11));  // the last attempt times out too
  wsv1::PollWorkflowTaskQueueResponse second = PollWorkflowTask();
  std::vector<HistoryEvent> events(second.history().events().begin(), second.history().events().end());
  ASSERT_GE(events.size(), 8u);
  const HistoryEvent& started = events[5];
  const HistoryEvent& timed_out = events[6];
  ASSERT_EQ(started.event_type(), enums::EVENT_TYPE_ACTIVITY_TASK_STARTED);
  EXPECT_EQ(started.activity_task_started_event_attributes().attempt(), 2);
  EXPECT_TRUE(started.activity_task_started_event_attributes().has_last_failure());
  ASSERT_EQ(timed_out.event_type(), enums::EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT);
  EXPECT_EQ(timed_out.activity_task_timed_out_event_attributes().started_event_id(), started.event_id());
  EXPECT_EQ(timed_out.activity_task_timed_out_event_attributes().retry_state(),
            enums::RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED);
  EXPECT_EQ(timed_out.activity_task_timed_out_event_attributes().failure().timeout_failure_info().timeout_type(),
            enums::TIMEOUT_TYPE_START_TO_CLOSE);
}

TEST_F(WorkflowFunctionalTest, SignalDuringATaskIsBufferedAndACloseIsRefused) {
  Start("signal-flow");
  wsv1::PollWorkflowTaskQueueResponse first = PollWorkflowTask();

  wsv1::SignalWorkflowExecutionRequest signal;
  signal.set_namespace_("default");
  signal.mutable_workflow_execution()->set_workflow_id("signal-flow");
  signal.set_signal_name("poke");
  wsv1::SignalWorkflowExecutionResponse signalled;
  ASSERT_TRUE(stub_->SignalWorkflowExecution(Context().get(), signal, &signalled).ok());

  Command done;
  done.set_command_type(enums::COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION);
  grpc::Status refused = Complete(first.task_token(), {done});
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(refused.error_message(), "UnhandledCommand");

  wsv1::PollWorkflowTaskQueueResponse second = PollWorkflowTask();
  std::vector<enums::EventType> types;
  for (const auto& e : second.history().events()) types.push_back(e.event_type());
  EXPECT_EQ(types, (std::vector<enums::EventType>{
                       enums::EVENT_TYPE_WORKFLOW_EXECUTION_STARTED, enums::EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
                       enums::EVENT_TYPE_WORKFLOW_TASK_STARTED, enums::EVENT_TYPE_WORKFLOW_TASK_FAILED,
                       enums::EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED, enums::EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
                       enums::EVENT_TYPE_WORKFLOW_TASK_STARTED}));
  EXPECT_EQ(second.attempt(), 1) << "new input makes a fresh first attempt";
  ASSERT_TRUE(Complete(second.task_token(), {done}).ok());
}

TEST_F(WorkflowFunctionalTest, WorkflowTaskTimeoutRetriesWithTheNextAttempt) {
  Start("wft-timeout");
  wsv1::PollWorkflowTaskQueueResponse first = PollWorkflowTask();
  Advance(absl::Seconds(11));  // the default 10 s workflow task timeout
  wsv1::PollWorkflowTaskQueueResponse second = PollWorkflowTask();
  EXPECT_EQ(second.attempt(), 2);
  EXPECT_EQ(second.history().events(3).event_type(), enums::EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT);
  Command done;
  done.set_command_type(enums::COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION);
  EXPECT_EQ(Complete(first.task_token(), {done}).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_TRUE(Complete(second.task_token(), {done}).ok());
}

TEST_F(WorkflowFunctionalTest, StickyWorkerGetsTheNextTaskWithOnlyTheNewEvents) {
  Start("sticky-flow");
  wsv1::PollWorkflowTaskQueueResponse first = PollWorkflowTask();

  // The worker that ran the first task polls its own queue.
  wsv1::PollWorkflowTaskQueueResponse sticky;
  grpc::Status sticky_status;
  std::thread sticky_poll([&] {
    sticky_status = PollWorkflowTaskOn("q-sticky", enums::TASK_QUEUE_KIND_STICKY, Context().get(), &sticky);
  });
  absl::SleepFor(absl::Milliseconds(200));  // parked
  ASSERT_TRUE(Complete(first.task_token(), {StartTimer("t", 5)}, "q-sticky").ok());
  Advance(absl::Seconds(6));
  sticky_poll.join();

  ASSERT_TRUE(sticky_status.ok()) << sticky_status.error_message();
  ASSERT_FALSE(sticky.task_token().empty()) << "the sticky worker got nothing";
  ASSERT_GT(sticky.history().events_size(), 0);
  EXPECT_EQ(sticky.history().events(0).event_id(), 4) << "history starts after the last completed task's start";
  EXPECT_EQ(sticky.previous_started_event_id(), 3);
  EXPECT_EQ(sticky.workflow_execution_task_queue().name(), "q");
  const HistoryEvent& scheduled = sticky.history().events(sticky.history().events_size() - 2);
  ASSERT_EQ(scheduled.event_type(), enums::EVENT_TYPE_WORKFLOW_TASK_SCHEDULED);
  EXPECT_EQ(scheduled.workflow_task_scheduled_event_attributes().task_queue().name(), "q-sticky");
  EXPECT_EQ(scheduled.workflow_task_scheduled_event_attributes().task_queue().kind(), enums::TASK_QUEUE_KIND_STICKY);
  EXPECT_TRUE(Complete(sticky.task_token(), {CompleteWorkflow()}).ok());
}

TEST_F(WorkflowFunctionalTest, StickyTaskGoesToTheNormalQueueWhenNoStickyWorkerPolls) {
  Start("sticky-gone");
  wsv1::PollWorkflowTaskQueueResponse first = PollWorkflowTask();
  ASSERT_TRUE(Complete(first.task_token(), {StartTimer("t", 5)}, "q-nobody").ok());
  Advance(absl::Seconds(6));
  wsv1::PollWorkflowTaskQueueResponse second = PollWorkflowTask();
  ASSERT_FALSE(second.task_token().empty());
  EXPECT_EQ(second.history().events(0).event_id(), 1) << "a normal-queue worker gets the whole history";
  EXPECT_EQ(second.attempt(), 1);
  EXPECT_TRUE(Complete(second.task_token(), {CompleteWorkflow()}).ok());
  for (const HistoryEvent& e : History("sticky-gone")) {
    EXPECT_NE(e.event_type(), enums::EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT);
  }
}

TEST_F(WorkflowFunctionalTest, StickyTaskNobodyStartsTimesOutToTheNormalQueue) {
  Start("sticky-died");
  wsv1::PollWorkflowTaskQueueResponse first = PollWorkflowTask();
  {
    // A sticky poller that goes away without saying so (a worker killed).
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(300));
    wsv1::PollWorkflowTaskQueueResponse ignored;
    EXPECT_EQ(PollWorkflowTaskOn("q-died", enums::TASK_QUEUE_KIND_STICKY, &context, &ignored).error_code(),
              grpc::StatusCode::DEADLINE_EXCEEDED);
  }
  ASSERT_TRUE(Complete(first.task_token(), {StartTimer("t", 5)}, "q-died").ok());
  Advance(absl::Seconds(6));  // the timer fires; the task waits on the sticky queue
  Advance(absl::Seconds(6));  // its 5 s schedule-to-start timeout passes
  wsv1::PollWorkflowTaskQueueResponse second = PollWorkflowTask();
  ASSERT_FALSE(second.task_token().empty());
  EXPECT_EQ(second.attempt(), 1);
  std::vector<HistoryEvent> events(second.history().events().begin(), second.history().events().end());
  ASSERT_EQ(events.size(), 10u);
  EXPECT_EQ(events[7].event_type(), enums::EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT);
  EXPECT_EQ(events[7].workflow_task_timed_out_event_attributes().timeout_type(), enums::TIMEOUT_TYPE_SCHEDULE_TO_START);
  EXPECT_EQ(events[7].workflow_task_timed_out_event_attributes().started_event_id(), 0);
  EXPECT_EQ(events[8].workflow_task_scheduled_event_attributes().task_queue().kind(), enums::TASK_QUEUE_KIND_NORMAL);
  EXPECT_TRUE(Complete(second.task_token(), {CompleteWorkflow()}).ok());
}

// Chains of runs: workflow retry, continue-as-new, cron.

TEST_F(WorkflowFunctionalTest, RunTimeoutRetriesThenRunsOutOfAttempts) {
  const std::string first_run = Start("retry-flow", [](wsv1::StartWorkflowExecutionRequest& r) {
    r.mutable_workflow_run_timeout()->set_seconds(10);
    r.mutable_retry_policy()->mutable_initial_interval()->set_seconds(5);
    r.mutable_retry_policy()->set_maximum_attempts(2);
  });
  PollWorkflowTask();  // the worker never answers
  Advance(absl::Seconds(11));
  std::vector<HistoryEvent> first = History("retry-flow", first_run);
  ASSERT_EQ(first.back().event_type(), enums::EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT);
  const auto& timed_out = first.back().workflow_execution_timed_out_event_attributes();
  EXPECT_EQ(timed_out.retry_state(), enums::RETRY_STATE_IN_PROGRESS);
  ASSERT_FALSE(timed_out.new_execution_run_id().empty());

  // The retry waits out its backoff with nothing but its started event.
  std::vector<HistoryEvent> second = History("retry-flow");
  ASSERT_EQ(Types(second), std::vector{enums::EVENT_TYPE_WORKFLOW_EXECUTION_STARTED});
  const auto& started = second[0].workflow_execution_started_event_attributes();
  EXPECT_EQ(started.attempt(), 2);
  EXPECT_EQ(started.initiator(), enums::CONTINUE_AS_NEW_INITIATOR_RETRY);
  EXPECT_EQ(started.continued_execution_run_id(), first_run);
  EXPECT_EQ(started.first_execution_run_id(), first_run);
  EXPECT_EQ(started.first_workflow_task_backoff().seconds(), 5);
  EXPECT_TRUE(started.continued_failure().has_timeout_failure_info());
  Advance(absl::Seconds(5));
  wsv1::PollWorkflowTaskQueueResponse task = PollWorkflowTask();
  EXPECT_EQ(task.workflow_execution().run_id(), timed_out.new_execution_run_id());

  Advance(absl::Seconds(11));
  std::vector<HistoryEvent> last = History("retry-flow");
  ASSERT_EQ(last.back().event_type(), enums::EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT);
  EXPECT_EQ(last.back().workflow_execution_timed_out_event_attributes().retry_state(),
            enums::RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED);
  EXPECT_TRUE(last.back().workflow_execution_timed_out_event_attributes().new_execution_run_id().empty());
}

TEST_F(WorkflowFunctionalTest, ContinueAsNewKeepsTheExecutionDeadline) {
  const std::string first_run = Start("can-flow", [](wsv1::StartWorkflowExecutionRequest& r) {
    r.mutable_workflow_execution_timeout()->set_seconds(60);
  });
  wsv1::PollWorkflowTaskQueueResponse task = PollWorkflowTask();
  Advance(absl::Seconds(5));
  Command can;
  can.set_command_type(enums::COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION);
  can.mutable_continue_as_new_workflow_execution_command_attributes()->mutable_workflow_type()->set_name("Flow");
  ASSERT_TRUE(Complete(task.task_token(), {can}).ok());

  std::vector<HistoryEvent> old = History("can-flow", first_run);
  ASSERT_EQ(old.back().event_type(), enums::EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW);
  const std::string new_run = old.back().workflow_execution_continued_as_new_event_attributes().new_execution_run_id();
  std::vector<HistoryEvent> next = History("can-flow");
  ASSERT_EQ(next.size(), 2u);  // the run lived 5 s: no minimum backoff
  const auto& started = next[0].workflow_execution_started_event_attributes();
  EXPECT_EQ(next[0].event_type(), enums::EVENT_TYPE_WORKFLOW_EXECUTION_STARTED);
  EXPECT_EQ(started.continued_execution_run_id(), first_run);
  EXPECT_EQ(started.first_execution_run_id(), first_run);
  EXPECT_EQ(started.original_execution_run_id(), new_run);
  EXPECT_EQ(started.initiator(), enums::CONTINUE_AS_NEW_INITIATOR_WORKFLOW);
  EXPECT_EQ(started.workflow_execution_timeout().seconds(), 60);
  EXPECT_EQ(started.workflow_execution_expiration_time().seconds(),
            old[0].workflow_execution_started_event_attributes().workflow_execution_expiration_time().seconds());

  // 56 s more and the chain's 60 s are up, whatever the new run's age.
  Advance(absl::Seconds(54));
  EXPECT_TRUE(IsOpenRun("can-flow"));
  Advance(absl::Seconds(2));
  std::vector<HistoryEvent> last = History("can-flow");
  ASSERT_EQ(last.back().event_type(), enums::EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT);
  EXPECT_EQ(last.back().workflow_execution_timed_out_event_attributes().retry_state(),
            enums::RETRY_STATE_RETRY_POLICY_NOT_SET);
}

TEST_F(WorkflowFunctionalTest, TightContinueAsNewLoopIsSpacedBySecond) {
  Start("tight-flow");
  wsv1::PollWorkflowTaskQueueResponse task = PollWorkflowTask();
  Command can;
  can.set_command_type(enums::COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION);
  ASSERT_TRUE(Complete(task.task_token(), {can}).ok());
  std::vector<HistoryEvent> next = History("tight-flow");
  ASSERT_EQ(Types(next), std::vector{enums::EVENT_TYPE_WORKFLOW_EXECUTION_STARTED});
  EXPECT_EQ(next[0].workflow_execution_started_event_attributes().first_workflow_task_backoff().seconds(), 1);
  EXPECT_EQ(next[0].workflow_execution_started_event_attributes().workflow_type().name(), "Flow");
  Advance(absl::Seconds(1));
  EXPECT_EQ(History("tight-flow").back().event_type(), enums::EVENT_TYPE_WORKFLOW_TASK_SCHEDULED);
}

TEST_F(WorkflowFunctionalTest, CronRunWaitsForItsTimeAndSignalsMeanwhileWakeNobody) {
  // The fake clock starts now: the next top of the hour is at most 60 min away.
  Start("cron-flow", [](wsv1::StartWorkflowExecutionRequest& r) { r.set_cron_schedule("0 * * * *"); });
  std::vector<HistoryEvent> waiting = History("cron-flow");
  ASSERT_EQ(waiting.size(), 1u);
  const auto& started = waiting[0].workflow_execution_started_event_attributes();
  EXPECT_EQ(started.initiator(), enums::CONTINUE_AS_NEW_INITIATOR_CRON_SCHEDULE);
  const int64_t backoff = started.first_workflow_task_backoff().seconds();
  EXPECT_GT(backoff, 0);
  EXPECT_LE(backoff, 3600);

  wsv1::SignalWorkflowExecutionRequest signal;
  signal.set_namespace_("default");
  signal.mutable_workflow_execution()->set_workflow_id("cron-flow");
  signal.set_signal_name("early");
  wsv1::SignalWorkflowExecutionResponse signalled;
  ASSERT_TRUE(stub_->SignalWorkflowExecution(Context().get(), signal, &signalled).ok());
  EXPECT_EQ(Types(History("cron-flow")),
            (std::vector{enums::EVENT_TYPE_WORKFLOW_EXECUTION_STARTED, enums::EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED}));

  Advance(absl::Seconds(backoff));
  wsv1::PollWorkflowTaskQueueResponse task = PollWorkflowTask();
  ASSERT_EQ(task.history().events_size(), 4);
  EXPECT_EQ(task.history().events(2).event_type(), enums::EVENT_TYPE_WORKFLOW_TASK_SCHEDULED);

  // Completing schedules the next run at the next hour.
  ASSERT_TRUE(Complete(task.task_token(), {CompleteWorkflow()}).ok());
  std::vector<HistoryEvent> next = History("cron-flow");
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].workflow_execution_started_event_attributes().first_workflow_task_backoff().seconds(), 3600);
}

// Deletion, retention, reverse history.

TEST_F(WorkflowFunctionalTest, HistoryReadsBackwardsInPages) {
  Start("reverse-flow");
  wsv1::PollWorkflowTaskQueueResponse task = PollWorkflowTask();
  ASSERT_TRUE(Complete(task.task_token(), {StartTimer("a", 1), StartTimer("b", 2), CompleteWorkflow()}).ok());
  std::vector<int64_t> ids;
  std::string token;
  do {
    wsv1::GetWorkflowExecutionHistoryReverseRequest request;
    request.set_namespace_("default");
    request.mutable_execution()->set_workflow_id("reverse-flow");
    request.set_maximum_page_size(3);
    request.set_next_page_token(token);
    wsv1::GetWorkflowExecutionHistoryReverseResponse response;
    grpc::Status status = stub_->GetWorkflowExecutionHistoryReverse(Context().get(), request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_LE(response.history().events_size(), 3);
    for (const auto& e : response.history().events()) ids.push_back(e.event_id());
    token = response.next_page_token();
  } while (!token.empty());
  EXPECT_EQ(ids, (std::vector<int64_t>{7, 6, 5, 4, 3, 2, 1}));
}

TEST_F(WorkflowFunctionalTest, DeleteTerminatesAndForgetsTheRun) {
  Start("doomed-flow");
  wsv1::DeleteWorkflowExecutionRequest request;
  request.set_namespace_("default");
  request.mutable_workflow_execution()->set_workflow_id("doomed-flow");
  wsv1::DeleteWorkflowExecutionResponse response;
  ASSERT_TRUE(stub_->DeleteWorkflowExecution(Context().get(), request, &response).ok());

  wsv1::GetWorkflowExecutionHistoryRequest history;
  history.set_namespace_("default");
  history.mutable_execution()->set_workflow_id("doomed-flow");
  wsv1::GetWorkflowExecutionHistoryResponse events;
  EXPECT_EQ(stub_->GetWorkflowExecutionHistory(Context().get(), history, &events).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(stub_->DeleteWorkflowExecution(Context().get(), request, &response).error_code(),
            grpc::StatusCode::NOT_FOUND);
  // The id is free again.
  EXPECT_FALSE(Start("doomed-flow").empty());
}

TEST_F(WorkflowFunctionalTest, RetentionDeletesRunsClosedLongerAgoThanTheNamespaceKeepsThem) {
  worker::RetentionScanner retention(store_->namespaces(), store_->visibility(), *history_, clock_, timers_, pool_,
                                     absl::Hours(1));
  Start("kept-flow");  // stays open: never deleted
  Start("old-flow");
  wsv1::PollWorkflowTaskQueueResponse first = PollWorkflowTask();
  wsv1::PollWorkflowTaskQueueResponse second = PollWorkflowTask();
  const std::string& old_token =
      first.workflow_execution().workflow_id() == "old-flow" ? first.task_token() : second.task_token();
  ASSERT_TRUE(Complete(old_token, {CompleteWorkflow()}).ok());
  // Visibility follows the outbox.
  auto listed = [&](const std::string& query) {
    wsv1::ListWorkflowExecutionsRequest request;
    request.set_namespace_("default");
    request.set_query(query);
    wsv1::ListWorkflowExecutionsResponse response;
    EXPECT_TRUE(stub_->ListWorkflowExecutions(Context().get(), request, &response).ok());
    return response.executions_size();
  };
  for (int i = 0; i < 100 && listed("WorkflowId = 'old-flow'") == 0; ++i) absl::SleepFor(absl::Milliseconds(20));

  Advance(absl::Hours(23));
  EXPECT_EQ(retention.Sweep(), 0) << "deleted before its 24 h retention ran out";
  Advance(absl::Hours(2));
  EXPECT_EQ(retention.Sweep(), 1);
  wsv1::DescribeWorkflowExecutionRequest describe;
  describe.set_namespace_("default");
  describe.mutable_execution()->set_workflow_id("old-flow");
  wsv1::DescribeWorkflowExecutionResponse described;
  EXPECT_EQ(stub_->DescribeWorkflowExecution(Context().get(), describe, &described).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_TRUE(IsOpenRun("kept-flow"));
  for (int i = 0; i < 100 && listed("WorkflowId = 'old-flow'") != 0; ++i) absl::SleepFor(absl::Milliseconds(20));
  EXPECT_EQ(listed("WorkflowId = 'old-flow'"), 0);
}

// Workflow Update and children, driven as a worker would.

TEST_F(WorkflowFunctionalTest, RejectedUpdateLeavesNoTraceAcceptedOneIsRecorded) {
  Start("update-flow");
  ASSERT_TRUE(Complete(PollWorkflowTask().task_token(), {}).ok());
  ASSERT_EQ(History("update-flow").size(), 4u);

  auto send_update = [&](const std::string& id, wsv1::UpdateWorkflowExecutionResponse* response) {
    wsv1::UpdateWorkflowExecutionRequest request;
    request.set_namespace_("default");
    request.mutable_workflow_execution()->set_workflow_id("update-flow");
    request.mutable_request()->mutable_meta()->set_update_id(id);
    request.mutable_request()->mutable_input()->set_name("add");
    return stub_->UpdateWorkflowExecution(Context().get(), request, response);
  };
  // A worker answers each update's task: a rejection first, then an
  // acceptance with its response.
  auto answer = [&](bool accept) {
    wsv1::PollWorkflowTaskQueueResponse task = PollWorkflowTask();
    EXPECT_EQ(task.messages_size(), 1);
    if (task.messages_size() != 1) return;
    temporal::api::update::v1::Request request;
    EXPECT_TRUE(task.messages(0).body().UnpackTo(&request));
    wsv1::RespondWorkflowTaskCompletedRequest done;
    done.set_namespace_("default");
    done.set_task_token(task.task_token());
    auto* message = done.add_messages();
    message->set_id("answer-" + request.meta().update_id());
    message->set_protocol_instance_id(request.meta().update_id());
    if (accept) {
      temporal::api::update::v1::Acceptance acceptance;
      acceptance.set_accepted_request_message_id(task.messages(0).id());
      message->mutable_body()->PackFrom(acceptance);
      auto* response_message = done.add_messages();
      response_message->set_id("response-" + request.meta().update_id());
      response_message->set_protocol_instance_id(request.meta().update_id());
      temporal::api::update::v1::Response response;
      response.mutable_meta()->set_update_id(request.meta().update_id());
      response.mutable_outcome()->mutable_success();
      response_message->mutable_body()->PackFrom(response);
    } else {
      temporal::api::update::v1::Rejection rejection;
      rejection.mutable_failure()->set_message("no");
      message->mutable_body()->PackFrom(rejection);
    }
    wsv1::RespondWorkflowTaskCompletedResponse reply;
    EXPECT_TRUE(stub_->RespondWorkflowTaskCompleted(Context().get(), done, &reply).ok());
    if (!accept) EXPECT_EQ(reply.reset_history_event_id(), 3);  // the last completed task's started event
  };

  wsv1::UpdateWorkflowExecutionResponse rejected;
  std::thread worker([&] { answer(false); });
  ASSERT_TRUE(send_update("u1", &rejected).ok());
  worker.join();
  EXPECT_EQ(rejected.stage(), enums::UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED);
  EXPECT_EQ(rejected.outcome().failure().message(), "no");
  EXPECT_EQ(History("update-flow").size(), 4u) << "the rejected update left events";

  wsv1::UpdateWorkflowExecutionResponse accepted;
  worker = std::thread([&] { answer(true); });
  ASSERT_TRUE(send_update("u2", &accepted).ok());
  worker.join();
  EXPECT_TRUE(accepted.outcome().has_success());
  // The speculative task's events are written after all, ids reused.
  EXPECT_EQ(Types(History("update-flow")),
            (std::vector{enums::EVENT_TYPE_WORKFLOW_EXECUTION_STARTED, enums::EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
                         enums::EVENT_TYPE_WORKFLOW_TASK_STARTED, enums::EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
                         enums::EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, enums::EVENT_TYPE_WORKFLOW_TASK_STARTED,
                         enums::EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
                         enums::EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED,
                         enums::EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED}));
}

TEST_F(WorkflowFunctionalTest, ChildResultReachesTheParent) {
  const std::string parent_run = Start("parent-flow");
  Command child;
  child.set_command_type(enums::COMMAND_TYPE_START_CHILD_WORKFLOW_EXECUTION);
  auto* a = child.mutable_start_child_workflow_execution_command_attributes();
  a->set_workflow_id("child-flow");
  a->mutable_workflow_type()->set_name("Child");
  ASSERT_TRUE(Complete(PollWorkflowTask().task_token(), {child}).ok());

  // The child's task, then the parent's (child started), in either order.
  wsv1::PollWorkflowTaskQueueResponse one = PollWorkflowTask();
  wsv1::PollWorkflowTaskQueueResponse two = PollWorkflowTask();
  const bool child_first = one.workflow_execution().workflow_id() == "child-flow";
  const wsv1::PollWorkflowTaskQueueResponse& child_task = child_first ? one : two;
  const wsv1::PollWorkflowTaskQueueResponse& parent_task = child_first ? two : one;
  const auto& child_started = child_task.history().events(0).workflow_execution_started_event_attributes();
  EXPECT_EQ(child_started.parent_workflow_execution().workflow_id(), "parent-flow");
  EXPECT_EQ(child_started.parent_workflow_execution().run_id(), parent_run);
  EXPECT_EQ(child_started.parent_initiated_event_id(), 5);
  EXPECT_EQ(child_started.root_workflow_execution().workflow_id(), "parent-flow");
  ASSERT_TRUE(Complete(parent_task.task_token(), {}).ok());
  ASSERT_TRUE(Complete(child_task.task_token(), {CompleteWorkflow()}).ok());

  wsv1::PollWorkflowTaskQueueResponse last = PollWorkflowTask();
  ASSERT_EQ(last.workflow_execution().workflow_id(), "parent-flow");
  std::vector<HistoryEvent> history = History("parent-flow");
  std::vector<enums::EventType> types = Types(history);
  const auto started = std::find(types.begin(), types.end(), enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED);
  const auto completed = std::find(types.begin(), types.end(), enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED);
  ASSERT_NE(started, types.end());
  ASSERT_NE(completed, types.end());
  EXPECT_LT(started, completed);
  const auto& result = history[completed - types.begin()].child_workflow_execution_completed_event_attributes();
  EXPECT_EQ(result.initiated_event_id(), 5);
  EXPECT_EQ(result.started_event_id(), history[started - types.begin()].event_id());
}

}  // namespace
}  // namespace zaman

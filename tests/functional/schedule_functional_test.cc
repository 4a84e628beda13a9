// Schedules through the public API on the fake clock: the worker role starts
// the actions when the spec says so, under every overlap policy, with
// catch-up after downtime, pause, trigger, backfill, limited actions,
// updates, and across a DST change.
#include <google/protobuf/util/time_util.h>

#include "common/errors.h"
#include "functional/functional_fixture.h"
#include "google/rpc/status.pb.h"
#include "temporal/api/errordetails/v1/message.pb.h"

namespace zaman {
namespace {

namespace wsv1 = functional::wsv1;
namespace enums = functional::enums;
namespace sched = ::temporal::api::schedule::v1;
using ::google::protobuf::util::TimeUtil;

// A round minute well away from any interval boundary trouble.
constexpr int64_t kEpoch = 1767225600;  // 2026-01-01T00:00:00Z

class ScheduleFunctionalTest : public functional::FunctionalTest {
 protected:
  void SetUp() override {
    FunctionalTest::SetUp();
    clock_.Advance(absl::FromUnixSeconds(kEpoch) - clock_.Now());
  }

  grpc::Status Create(const std::string& id, const std::function<void(wsv1::CreateScheduleRequest&)>& options,
                      wsv1::CreateScheduleResponse* response = nullptr) {
    wsv1::CreateScheduleRequest request;
    request.set_namespace_("default");
    request.set_schedule_id(id);
    request.set_request_id("create-" + id);
    request.set_identity("tester");
    auto* start = request.mutable_schedule()->mutable_action()->mutable_start_workflow();
    start->set_workflow_id("wf-" + id);
    start->mutable_workflow_type()->set_name("Report");
    start->mutable_task_queue()->set_name("q");
    if (options) options(request);
    wsv1::CreateScheduleResponse ignored;
    return stub_->CreateSchedule(Context().get(), request, response != nullptr ? response : &ignored);
  }

  static void Every(wsv1::CreateScheduleRequest& r, int64_t seconds) {
    r.mutable_schedule()->mutable_spec()->add_interval()->mutable_interval()->set_seconds(seconds);
  }

  wsv1::DescribeScheduleResponse Describe(const std::string& id) {
    wsv1::DescribeScheduleRequest request;
    request.set_namespace_("default");
    request.set_schedule_id(id);
    wsv1::DescribeScheduleResponse response;
    grpc::Status status = stub_->DescribeSchedule(Context().get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  grpc::Status Patch(const std::string& id, const std::function<void(sched::SchedulePatch&)>& fill) {
    wsv1::PatchScheduleRequest request;
    request.set_namespace_("default");
    request.set_schedule_id(id);
    fill(*request.mutable_patch());
    wsv1::PatchScheduleResponse response;
    return stub_->PatchSchedule(Context().get(), request, &response);
  }

  // The workflow ids of the actions the schedule took, oldest first.
  std::vector<std::string> Started(const std::string& id) {
    std::vector<std::string> ids;
    const wsv1::DescribeScheduleResponse described = Describe(id);
    for (const auto& a : described.info().recent_actions()) ids.push_back(a.start_workflow_result().workflow_id());
    return ids;
  }

  void Terminate(const std::string& workflow_id) {
    wsv1::TerminateWorkflowExecutionRequest request;
    request.set_namespace_("default");
    request.mutable_workflow_execution()->set_workflow_id(workflow_id);
    wsv1::TerminateWorkflowExecutionResponse response;
    ASSERT_TRUE(stub_->TerminateWorkflowExecution(Context().get(), request, &response).ok());
  }

  enums::WorkflowExecutionStatus StatusOf(const std::string& workflow_id) {
    wsv1::DescribeWorkflowExecutionRequest request;
    request.set_namespace_("default");
    request.mutable_execution()->set_workflow_id(workflow_id);
    wsv1::DescribeWorkflowExecutionResponse response;
    grpc::Status status = stub_->DescribeWorkflowExecution(Context().get(), request, &response);
    EXPECT_TRUE(status.ok()) << workflow_id << ": " << status.error_message();
    return response.workflow_execution_info().status();
  }

  static std::string At(int64_t offset_seconds) {
    return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::FromUnixSeconds(kEpoch + offset_seconds), absl::UTCTimeZone());
  }
};

TEST_F(ScheduleFunctionalTest, AnIntervalStartsARunAtEachTimeNamedAfterIt) {
  ASSERT_TRUE(Create("every10", [](auto& r) {
                Every(r, 10);
                r.mutable_schedule()->mutable_policies()->set_overlap_policy(enums::SCHEDULE_OVERLAP_POLICY_ALLOW_ALL);
              }).ok());
  Advance(absl::Seconds(25));
  EXPECT_EQ(Started("every10"), (std::vector<std::string>{"wf-every10-" + At(10), "wf-every10-" + At(20)}));
  EXPECT_EQ(StatusOf("wf-every10-" + At(10)), enums::WORKFLOW_EXECUTION_STATUS_RUNNING);

  // The run carries the schedule's search attributes, as on Temporal.
  wsv1::DescribeWorkflowExecutionRequest request;
  request.set_namespace_("default");
  request.mutable_execution()->set_workflow_id("wf-every10-" + At(20));
  wsv1::DescribeWorkflowExecutionResponse run;
  ASSERT_TRUE(stub_->DescribeWorkflowExecution(Context().get(), request, &run).ok());
  const auto& fields = run.workflow_execution_info().search_attributes().indexed_fields();
  ASSERT_TRUE(fields.contains("TemporalScheduledById"));
  EXPECT_EQ(fields.at("TemporalScheduledById").data(), "\"every10\"");
  ASSERT_TRUE(fields.contains("TemporalScheduledStartTime"));
  EXPECT_EQ(fields.at("TemporalScheduledStartTime").data(), "\"" + At(20) + "\"");

  wsv1::DescribeScheduleResponse described = Describe("every10");
  EXPECT_EQ(described.info().action_count(), 2);
  ASSERT_GE(described.info().future_action_times_size(), 2);
  EXPECT_EQ(TimeUtil::TimestampToSeconds(described.info().future_action_times(0)), kEpoch + 30);
  EXPECT_EQ(TimeUtil::TimestampToSeconds(described.info().future_action_times(1)), kEpoch + 40);
  EXPECT_EQ(described.schedule().policies().catchup_window().seconds(), 365 * 24 * 3600);
}

TEST_F(ScheduleFunctionalTest, SkipLeavesOutTimesWhileTheLastRunIsStillRunning) {
  ASSERT_TRUE(Create("skip", [](auto& r) { Every(r, 10); }).ok());
  Advance(absl::Seconds(35));
  wsv1::DescribeScheduleResponse d = Describe("skip");
  EXPECT_EQ(d.info().action_count(), 1);
  EXPECT_EQ(d.info().overlap_skipped(), 2);
  ASSERT_EQ(d.info().running_workflows_size(), 1);
  EXPECT_EQ(d.info().running_workflows(0).workflow_id(), "wf-skip-" + At(10));
  Terminate("wf-skip-" + At(10));
  Advance(absl::Seconds(10));
  EXPECT_EQ(Started("skip").back(), "wf-skip-" + At(40));
}

TEST_F(ScheduleFunctionalTest, BufferOneStartsTheNextWhenTheRunningOneCloses) {
  ASSERT_TRUE(Create("buf1", [](auto& r) {
                Every(r, 10);
                r.mutable_schedule()->mutable_policies()->set_overlap_policy(enums::SCHEDULE_OVERLAP_POLICY_BUFFER_ONE);
              }).ok());
  Advance(absl::Seconds(35));  // 10 runs; 20 is buffered; 30 is skipped
  wsv1::DescribeScheduleResponse d = Describe("buf1");
  EXPECT_EQ(d.info().action_count(), 1);
  EXPECT_EQ(d.info().buffer_size(), 1);
  EXPECT_EQ(d.info().overlap_skipped(), 1);
  Terminate("wf-buf1-" + At(10));
  Advance(absl::Seconds(2));
  EXPECT_EQ(Started("buf1"), (std::vector<std::string>{"wf-buf1-" + At(10), "wf-buf1-" + At(20)}));
}

TEST_F(ScheduleFunctionalTest, BufferAllStartsEveryTimeInTurn) {
  ASSERT_TRUE(Create("bufall", [](auto& r) {
                Every(r, 10);
                r.mutable_schedule()->mutable_policies()->set_overlap_policy(enums::SCHEDULE_OVERLAP_POLICY_BUFFER_ALL);
              }).ok());
  Advance(absl::Seconds(35));
  EXPECT_EQ(Describe("bufall").info().buffer_size(), 2);
  Terminate("wf-bufall-" + At(10));
  Advance(absl::Seconds(2));
  Terminate("wf-bufall-" + At(20));
  Advance(absl::Seconds(2));
  EXPECT_EQ(Started("bufall"),
            (std::vector<std::string>{"wf-bufall-" + At(10), "wf-bufall-" + At(20), "wf-bufall-" + At(30)}));
}

TEST_F(ScheduleFunctionalTest, TerminateOtherAndCancelOtherEndTheRunningOne) {
  ASSERT_TRUE(Create("term", [](auto& r) {
                Every(r, 10);
                r.mutable_schedule()->mutable_policies()->set_overlap_policy(
                    enums::SCHEDULE_OVERLAP_POLICY_TERMINATE_OTHER);
              }).ok());
  ASSERT_TRUE(Create("cancel", [](auto& r) {
                Every(r, 10);
                r.mutable_schedule()->mutable_policies()->set_overlap_policy(enums::SCHEDULE_OVERLAP_POLICY_CANCEL_OTHER);
              }).ok());
  Advance(absl::Seconds(15));
  Advance(absl::Seconds(10));
  Advance(absl::Seconds(2));
  EXPECT_EQ(StatusOf("wf-term-" + At(10)), enums::WORKFLOW_EXECUTION_STATUS_TERMINATED);
  EXPECT_EQ(StatusOf("wf-term-" + At(20)), enums::WORKFLOW_EXECUTION_STATUS_RUNNING);
  // A cancel is a request: the workflow decides when it closes (nobody runs this one).
  EXPECT_EQ(StatusOf("wf-cancel-" + At(10)), enums::WORKFLOW_EXECUTION_STATUS_RUNNING);
  EXPECT_EQ(Describe("cancel").info().buffer_size(), 1);
}

TEST_F(ScheduleFunctionalTest, AfterDowntimeOnlyTimesInsideTheCatchupWindowAreTaken) {
  ASSERT_TRUE(Create("catchup", [](auto& r) {
                Every(r, 60);
                r.mutable_schedule()->mutable_policies()->set_overlap_policy(enums::SCHEDULE_OVERLAP_POLICY_ALLOW_ALL);
                r.mutable_schedule()->mutable_policies()->mutable_catchup_window()->set_seconds(300);
              }).ok());
  schedules_->Stop();  // the worker role is down for an hour
  Advance(absl::Minutes(60) + absl::Seconds(30));
  schedules_->Start();
  Advance(absl::Seconds(1));
  wsv1::DescribeScheduleResponse d = Describe("catchup");
  // 12:56 … 13:00 are inside five minutes; 12:01 … 12:55 are missed.
  EXPECT_EQ(d.info().action_count(), 5);
  EXPECT_EQ(d.info().missed_catchup_window(), 55);
  EXPECT_EQ(Started("catchup").back(), "wf-catchup-" + At(3600));
}

TEST_F(ScheduleFunctionalTest, PauseTriggerAndBackfill) {
  ASSERT_TRUE(Create("ops", [](auto& r) {
                Every(r, 3600);
                r.mutable_schedule()->mutable_policies()->set_overlap_policy(enums::SCHEDULE_OVERLAP_POLICY_ALLOW_ALL);
              }).ok());
  ASSERT_TRUE(Patch("ops", [](auto& p) { p.set_pause("maintenance"); }).ok());
  wsv1::DescribeScheduleResponse paused = Describe("ops");
  EXPECT_TRUE(paused.schedule().state().paused());
  EXPECT_EQ(paused.schedule().state().notes(), "maintenance");
  Advance(absl::Hours(2));
  EXPECT_EQ(Describe("ops").info().action_count(), 0);

  // Trigger and backfill act even while paused.
  ASSERT_TRUE(Patch("ops", [](auto& p) { p.mutable_trigger_immediately(); }).ok());
  ASSERT_TRUE(Patch("ops", [](auto& p) {
                auto* b = p.add_backfill_request();
                *b->mutable_start_time() = TimeUtil::SecondsToTimestamp(kEpoch - 3 * 3600);
                *b->mutable_end_time() = TimeUtil::SecondsToTimestamp(kEpoch - 3600);
              }).ok());
  Advance(absl::Seconds(1));
  std::vector<std::string> started = Started("ops");
  ASSERT_EQ(started.size(), 4u);
  EXPECT_EQ(started[0], "wf-ops-" + At(7200));
  EXPECT_EQ(started[1], "wf-ops-" + At(-3 * 3600));  // the backfill's start is inclusive
  EXPECT_EQ(started[3], "wf-ops-" + At(-3600));

  ASSERT_TRUE(Patch("ops", [](auto& p) { p.set_unpause("back"); }).ok());
  Advance(absl::Hours(1));
  EXPECT_EQ(Describe("ops").info().action_count(), 5);
  EXPECT_FALSE(Describe("ops").schedule().state().paused());
}

TEST_F(ScheduleFunctionalTest, LimitedActionsStopAfterTheLast) {
  ASSERT_TRUE(Create("limited", [](auto& r) {
                Every(r, 10);
                r.mutable_schedule()->mutable_policies()->set_overlap_policy(enums::SCHEDULE_OVERLAP_POLICY_ALLOW_ALL);
                r.mutable_schedule()->mutable_state()->set_limited_actions(true);
                r.mutable_schedule()->mutable_state()->set_remaining_actions(2);
              }).ok());
  Advance(absl::Seconds(45));
  wsv1::DescribeScheduleResponse d = Describe("limited");
  EXPECT_EQ(d.info().action_count(), 2);
  EXPECT_EQ(d.schedule().state().remaining_actions(), 0);
  EXPECT_EQ(d.info().future_action_times_size(), 0);
}

TEST_F(ScheduleFunctionalTest, DuplicateIdIsAlreadyStartedUnlessItIsTheSameRequest) {
  ASSERT_TRUE(Create("dup", [](auto& r) { Every(r, 60); }).ok());
  EXPECT_TRUE(Create("dup", [](auto& r) { Every(r, 60); }).ok());  // a retry
  grpc::Status again = Create("dup", [](auto& r) {
    Every(r, 60);
    r.set_request_id("another");
  });
  EXPECT_EQ(again.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  google::rpc::Status details;
  ASSERT_TRUE(details.ParseFromString(again.error_details()));
  ASSERT_EQ(details.details_size(), 1);
  EXPECT_TRUE(details.details(0).Is<temporal::api::errordetails::v1::WorkflowExecutionAlreadyStartedFailure>());
}

TEST_F(ScheduleFunctionalTest, BadRequestsAreInvalidArgument) {
  EXPECT_EQ(Create("bad", [](auto& r) { r.mutable_schedule()->mutable_spec()->add_cron_string("61 * * * *"); })
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Create("bad", [](auto& r) { r.clear_request_id(); }).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  grpc::Status cron = Create("bad", [](auto& r) {
    r.mutable_schedule()->mutable_action()->mutable_start_workflow()->set_cron_schedule("* * * * *");
  });
  EXPECT_EQ(cron.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(cron.error_message(), "Scheduled workflow must not contain CronSchedule");
  wsv1::DescribeScheduleRequest missing;
  missing.set_namespace_("default");
  missing.set_schedule_id("nope");
  wsv1::DescribeScheduleResponse response;
  EXPECT_EQ(stub_->DescribeSchedule(Context().get(), missing, &response).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(ScheduleFunctionalTest, UpdateReplacesTheSpecAndAStaleTokenIsDropped) {
  wsv1::CreateScheduleResponse created;
  ASSERT_TRUE(Create("upd", [](auto& r) { Every(r, 3600); }, &created).ok());
  wsv1::DescribeScheduleResponse before = Describe("upd");
  EXPECT_EQ(before.conflict_token(), created.conflict_token());

  wsv1::UpdateScheduleRequest update;
  update.set_namespace_("default");
  update.set_schedule_id("upd");
  *update.mutable_schedule() = before.schedule();
  update.mutable_schedule()->mutable_spec()->clear_interval();
  update.mutable_schedule()->mutable_spec()->add_interval()->mutable_interval()->set_seconds(60);
  update.set_conflict_token(before.conflict_token());
  wsv1::UpdateScheduleResponse ignored;
  ASSERT_TRUE(stub_->UpdateSchedule(Context().get(), update, &ignored).ok());
  wsv1::DescribeScheduleResponse after = Describe("upd");
  ASSERT_EQ(after.schedule().spec().interval_size(), 1);
  EXPECT_EQ(after.schedule().spec().interval(0).interval().seconds(), 60);
  EXPECT_NE(after.conflict_token(), before.conflict_token());

  // The token it was read with is old now: this update is dropped.
  update.mutable_schedule()->mutable_spec()->mutable_interval(0)->mutable_interval()->set_seconds(7);
  ASSERT_TRUE(stub_->UpdateSchedule(Context().get(), update, &ignored).ok());
  EXPECT_EQ(Describe("upd").schedule().spec().interval(0).interval().seconds(), 60);
}

TEST_F(ScheduleFunctionalTest, ListAndCountFindSchedulesAndHideThemFromWorkflowLists) {
  ASSERT_TRUE(Create("list-a", [](auto& r) { Every(r, 3600); }).ok());
  ASSERT_TRUE(Create("list-b", [](auto& r) { Every(r, 3600); }).ok());
  ASSERT_TRUE(Patch("list-b", [](auto& p) { p.set_pause("stop"); }).ok());
  wsv1::ListSchedulesRequest list;
  list.set_namespace_("default");
  wsv1::ListSchedulesResponse all;
  ASSERT_TRUE(stub_->ListSchedules(Context().get(), list, &all).ok());
  ASSERT_EQ(all.schedules_size(), 2);
  for (const auto& entry : all.schedules()) {
    EXPECT_EQ(entry.info().workflow_type().name(), "Report");
    EXPECT_FALSE(entry.has_memo());  // ScheduleInfo is the server's, not shown
    EXPECT_EQ(entry.info().paused(), entry.schedule_id() == "list-b");
  }
  list.set_query("TemporalSchedulePaused = true");
  wsv1::ListSchedulesResponse paused;
  ASSERT_TRUE(stub_->ListSchedules(Context().get(), list, &paused).ok());
  ASSERT_EQ(paused.schedules_size(), 1);
  EXPECT_EQ(paused.schedules(0).schedule_id(), "list-b");

  wsv1::CountSchedulesRequest count;
  count.set_namespace_("default");
  wsv1::CountSchedulesResponse counted;
  ASSERT_TRUE(stub_->CountSchedules(Context().get(), count, &counted).ok());
  EXPECT_EQ(counted.count(), 2);

  wsv1::ListWorkflowExecutionsRequest workflows;
  workflows.set_namespace_("default");
  wsv1::ListWorkflowExecutionsResponse runs;
  ASSERT_TRUE(stub_->ListWorkflowExecutions(Context().get(), workflows, &runs).ok());
  EXPECT_EQ(runs.executions_size(), 0);
}

TEST_F(ScheduleFunctionalTest, DeletedScheduleStopsAndIsGone) {
  ASSERT_TRUE(Create("del", [](auto& r) {
                Every(r, 10);
                r.mutable_schedule()->mutable_policies()->set_overlap_policy(enums::SCHEDULE_OVERLAP_POLICY_ALLOW_ALL);
              }).ok());
  Advance(absl::Seconds(15));
  wsv1::DeleteScheduleRequest request;
  request.set_namespace_("default");
  request.set_schedule_id("del");
  wsv1::DeleteScheduleResponse response;
  ASSERT_TRUE(stub_->DeleteSchedule(Context().get(), request, &response).ok());
  EXPECT_EQ(stub_->DeleteSchedule(Context().get(), request, &response).error_code(), grpc::StatusCode::NOT_FOUND);
  Advance(absl::Seconds(30));
  // The run it started keeps running; no run was started after the delete.
  EXPECT_EQ(StatusOf("wf-del-" + At(10)), enums::WORKFLOW_EXECUTION_STATUS_RUNNING);
  wsv1::DescribeWorkflowExecutionRequest later;
  later.set_namespace_("default");
  later.mutable_execution()->set_workflow_id("wf-del-" + At(20));
  wsv1::DescribeWorkflowExecutionResponse none;
  EXPECT_EQ(stub_->DescribeWorkflowExecution(Context().get(), later, &none).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(ScheduleFunctionalTest, CalendarTimesFollowTheZoneAcrossADstChange) {
  ASSERT_TRUE(Create("dst", [](auto& r) {
                r.mutable_schedule()->mutable_spec()->add_cron_string("0 9 * * *");
                r.mutable_schedule()->mutable_spec()->set_timezone_name("America/New_York");
              }).ok());
  wsv1::ListScheduleMatchingTimesRequest request;
  request.set_namespace_("default");
  request.set_schedule_id("dst");
  // 2026-03-08 is the spring-forward day in New York: 09:00 is 14:00Z before it, 13:00Z after.
  *request.mutable_start_time() = TimeUtil::SecondsToTimestamp(absl::ToUnixSeconds(absl::FromCivil(
      absl::CivilSecond(2026, 3, 7, 0, 0, 0), absl::UTCTimeZone())));
  *request.mutable_end_time() = TimeUtil::SecondsToTimestamp(absl::ToUnixSeconds(absl::FromCivil(
      absl::CivilSecond(2026, 3, 9, 23, 0, 0), absl::UTCTimeZone())));
  wsv1::ListScheduleMatchingTimesResponse response;
  ASSERT_TRUE(stub_->ListScheduleMatchingTimes(Context().get(), request, &response).ok());
  std::vector<std::string> times;
  for (const auto& t : response.start_time()) {
    times.push_back(absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::FromUnixSeconds(t.seconds()), absl::UTCTimeZone()));
  }
  EXPECT_EQ(times, (std::vector<std::string>{"2026-03-07T14:00:00Z", "2026-03-08T13:00:00Z", "2026-03-09T13:00:00Z"}));
}

TEST_F(ScheduleFunctionalTest, ARestartedWorkerRoleNeverStartsATimeTwice) {
  ASSERT_TRUE(Create("restart", [](auto& r) {
                Every(r, 10);
                r.mutable_schedule()->mutable_policies()->set_overlap_policy(enums::SCHEDULE_OVERLAP_POLICY_ALLOW_ALL);
              }).ok());
  Advance(absl::Seconds(25));
  // A second service on the same store (another host, or this one after a
  // crash) replays what it finds; history answers the same start request
  // with the run it already made.
  schedules_->Stop();
  worker::schedule::ScheduleService again(store_->jobs(), store_->visibility(), *schedule_actions_, clock_, timers_,
                                          pool_, random_);
  again.Start();
  Advance(absl::Seconds(20));
  again.Stop();
  schedules_->Start();
  std::vector<std::string> started = Started("restart");
  EXPECT_EQ(started, (std::vector<std::string>{"wf-restart-" + At(10), "wf-restart-" + At(20), "wf-restart-" + At(30),
                                               "wf-restart-" + At(40)}));
}

// Makes the first start, then answers as if the call had failed: the worker
// role died after history made the run, before the schedule recorded it.
class LosesTheFirstAnswer final : public worker::schedule::WorkflowActions {
 public:
  explicit LosesTheFirstAnswer(WorkflowActions& inner) : inner_(inner) {}
  absl::StatusOr<wsv1::StartWorkflowExecutionResponse> Start(const std::string& ns,
                                                             wsv1::StartWorkflowExecutionRequest request) override {
    absl::StatusOr<wsv1::StartWorkflowExecutionResponse> started = inner_.Start(ns, std::move(request));
    if (started.ok() && !lost_) {
      lost_ = true;
      return errors::Unavailable("connection lost");
    }
    return started;
  }
  absl::StatusOr<RunState> Describe(const std::string& ns, const std::string& workflow_id) override {
    return inner_.Describe(ns, workflow_id);
  }
  absl::Status Cancel(const std::string& ns, const temporal::api::common::v1::WorkflowExecution& run,
                      const std::string& identity, const std::string& reason) override {
    return inner_.Cancel(ns, run, identity, reason);
  }
  absl::Status Terminate(const std::string& ns, const temporal::api::common::v1::WorkflowExecution& run,
                         const std::string& identity, const std::string& reason) override {
    return inner_.Terminate(ns, run, identity, reason);
  }

 private:
  WorkflowActions& inner_;
  bool lost_ = false;
};

TEST_F(ScheduleFunctionalTest, AStartWhoseAnswerWasLostIsTakenOnce) {
  schedules_->Stop();
  LosesTheFirstAnswer flaky(*schedule_actions_);
  worker::schedule::ScheduleService service(store_->jobs(), store_->visibility(), flaky, clock_, timers_, pool_,
                                            random_);
  service.Start();
  ASSERT_TRUE(Create("lost", [](auto& r) {
                Every(r, 10);
                r.mutable_schedule()->mutable_policies()->set_overlap_policy(enums::SCHEDULE_OVERLAP_POLICY_ALLOW_ALL);
              }).ok());
  Advance(absl::Seconds(15));
  {
    // Owed, and tried again soon (read from the store: Describe would take it).
    auto job = store_->jobs().GetJob(registry_->Resolve("default")->id, "schedule", "lost");
    ASSERT_TRUE(job.ok()) << job.status();
    worker::schedule::ScheduleRecord record;
    ASSERT_TRUE(record.ParseFromString(job->state));
    EXPECT_EQ(record.buffered_starts_size(), 1);
    EXPECT_EQ(record.info().action_count(), 0);
  }
  Advance(absl::Seconds(2));
  service.Stop();
  schedules_->Start();
  wsv1::DescribeScheduleResponse d = Describe("lost");
  EXPECT_EQ(d.info().action_count(), 1);
  EXPECT_EQ(d.info().buffer_size(), 0);
  ASSERT_EQ(d.info().recent_actions_size(), 1);
  // The run history made the first time is the one recorded.
  wsv1::DescribeWorkflowExecutionRequest request;
  request.set_namespace_("default");
  request.mutable_execution()->set_workflow_id("wf-lost-" + At(10));
  wsv1::DescribeWorkflowExecutionResponse run;
  ASSERT_TRUE(stub_->DescribeWorkflowExecution(Context().get(), request, &run).ok());
  EXPECT_EQ(run.workflow_execution_info().execution().run_id(), d.info().recent_actions(0).start_workflow_result().run_id());
  EXPECT_EQ(run.workflow_execution_info().first_run_id(), run.workflow_execution_info().execution().run_id());
}

}  // namespace
}  // namespace zaman

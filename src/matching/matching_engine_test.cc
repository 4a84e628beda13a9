#include "matching/matching_engine.h"

#include <gtest/gtest.h>

#include "matching/test_tasks.h"

namespace zaman::matching {
namespace {

using testing::WorkflowTask;

class MatchingEngineTest : public ::testing::Test {
 protected:
  FakeClock clock_;
  TimerService timers_{clock_, false};
  MatchingEngine matching_{clock_, timers_};
  TaskQueueKey queue_{"ns", "orders", TransferTask::WORKFLOW_TASK};
};

TEST_F(MatchingEngineTest, ParkedPollGetsATaskThatArrivesLater) {
  std::optional<TransferTask> got;
  bool answered = false;
  matching_.Poll(queue_, "worker-1", clock_.Now() + absl::Seconds(60), nullptr, [&](std::optional<TransferTask> t) {
    got = t;
    answered = true;
  });
  EXPECT_FALSE(answered);
  matching_.AddTask(WorkflowTask("orders", 2));
  ASSERT_TRUE(answered);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->scheduled_event_id(), 2);
}

TEST_F(MatchingEngineTest, BacklogIsServedInOrder) {
  matching_.AddTask(WorkflowTask("orders", 2));
  matching_.AddTask(WorkflowTask("orders", 7));
  EXPECT_EQ(matching_.BacklogSize(queue_), 2);
  std::vector<int64_t> got;
  for (int i = 0; i < 2; ++i) {
    matching_.Poll(queue_, "w", clock_.Now() + absl::Seconds(60), nullptr,
                   [&](std::optional<TransferTask> t) { got.push_back(t->scheduled_event_id()); });
  }
  EXPECT_EQ(got, (std::vector<int64_t>{2, 7}));
}

TEST_F(MatchingEngineTest, PollEndsEmptyAtItsDeadline) {
  bool answered = false;
  std::optional<TransferTask> got = WorkflowTask("x", 1);
  matching_.Poll(queue_, "w", clock_.Now() + absl::Seconds(60), nullptr, [&](std::optional<TransferTask> t) {
    got = t;
    answered = true;
  });
  clock_.Advance(absl::Seconds(59));
  timers_.RunDue();
  EXPECT_FALSE(answered);
  clock_.Advance(absl::Seconds(2));
  timers_.RunDue();
  EXPECT_TRUE(answered);
  EXPECT_FALSE(got.has_value());
  // The expired poll does not swallow the next task.
  matching_.AddTask(WorkflowTask("orders", 3));
  EXPECT_EQ(matching_.BacklogSize(queue_), 1);
}

TEST_F(MatchingEngineTest, AbandonedPollerIsSkipped) {
  bool first_answered_with_task = false;
  matching_.Poll(queue_, "gone", clock_.Now() + absl::Seconds(60), [] { return true; },
                 [&](std::optional<TransferTask> t) { first_answered_with_task = t.has_value(); });
  std::optional<TransferTask> second;
  matching_.Poll(queue_, "here", clock_.Now() + absl::Seconds(60), [] { return false; },
                 [&](std::optional<TransferTask> t) { second = t; });
  matching_.AddTask(WorkflowTask("orders", 5));
  EXPECT_FALSE(first_answered_with_task);
  ASSERT_TRUE(second.has_value());
}

TEST_F(MatchingEngineTest, QueuesAreSeparateAndPollersRecorded) {
  matching_.AddTask(WorkflowTask("other", 1));
  bool answered = false;
  matching_.Poll(queue_, "worker-9", clock_.Now() + absl::Seconds(5), nullptr,
                 [&](std::optional<TransferTask>) { answered = true; });
  EXPECT_FALSE(answered);
  auto pollers = matching_.Pollers(queue_);
  ASSERT_EQ(pollers.size(), 1u);
  EXPECT_EQ(pollers[0].identity, "worker-9");
  matching_.Shutdown();
  EXPECT_TRUE(answered);
}

}  // namespace
}  // namespace zaman::matching

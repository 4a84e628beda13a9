#include "matching/task_rates.h"

#include <gtest/gtest.h>

namespace zaman::matching {
namespace {

TEST(RateWindowTest, SteadyTrafficReadsAsItsRate) {
  FakeClock clock;
  RateWindow window(clock.Now());
  for (int i = 0; i < 120; ++i) {  // 2 per second for a minute
    clock.Advance(absl::Milliseconds(500));
    window.Count(clock.Now());
  }
  EXPECT_NEAR(window.PerSecond(clock.Now()), 2.0, 0.2);
}

TEST(RateWindowTest, OnlyTheLastThirtySecondsCount) {
  FakeClock clock;
  RateWindow window(clock.Now());
  window.Count(clock.Now(), 300);
  clock.Advance(absl::Seconds(10));
  EXPECT_NEAR(window.PerSecond(clock.Now()), 30.0, 0.01) << "a young window divides by its age";
  clock.Advance(absl::Seconds(40));
  EXPECT_EQ(window.PerSecond(clock.Now()), 0.0) << "the burst has left the window";
  window.Count(clock.Now(), 60);
  EXPECT_NEAR(window.PerSecond(clock.Now()), 60.0 / 25.0, 0.01) << "five whole buckets and the current one";
}

TEST(RateWindowTest, AFirstBurstIsNotThousandsPerSecond) {
  FakeClock clock;
  RateWindow window(clock.Now());
  clock.Advance(absl::Milliseconds(1));
  window.Count(clock.Now(), 5);
  EXPECT_EQ(window.PerSecond(clock.Now()), 5.0);
}

TEST(TaskQueueRatesTest, QueuesAreCountedApartAndForgottenWhenIdle) {
  FakeClock clock;
  TaskQueueRates rates(clock);
  const TaskQueueKey orders{"ns", "orders", TransferTask::WORKFLOW_TASK};
  const TaskQueueKey activities{"ns", "orders", TransferTask::ACTIVITY_TASK};
  for (int i = 0; i < 10; ++i) rates.Added(orders);
  rates.Dispatched(orders);
  EXPECT_EQ(rates.Of(orders).added, 10.0);
  EXPECT_EQ(rates.Of(orders).dispatched, 1.0);
  EXPECT_EQ(rates.Of(activities).added, 0.0);
  clock.Advance(absl::Minutes(2));
  rates.Added(activities);  // sweeps the idle ones
  EXPECT_EQ(rates.Of(orders).added, 0.0);
  EXPECT_EQ(rates.Of(activities).added, 1.0);
}

}  // namespace
}  // namespace zaman::matching

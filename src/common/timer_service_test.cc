#include "common/timer_service.h"

#include <atomic>
#include <vector>

#include <gtest/gtest.h>

#include "absl/synchronization/notification.h"

namespace zaman {
namespace {

TEST(TimerServiceTest, FiresInTimeOrderWhenTheFakeClockMoves) {
  FakeClock clock;
  TimerService timers(clock, /*run_thread=*/false);
  std::vector<int> fired;
  timers.Schedule(clock.Now() + absl::Seconds(20), [&] { fired.push_back(20); });
  timers.Schedule(clock.Now() + absl::Seconds(10), [&] { fired.push_back(10); });
  EXPECT_EQ(timers.RunDue(), 0);
  clock.Advance(absl::Seconds(15));
  EXPECT_EQ(timers.RunDue(), 1);
  clock.Advance(absl::Seconds(15));
  EXPECT_EQ(timers.RunDue(), 1);
  EXPECT_EQ(fired, (std::vector<int>{10, 20}));
}

TEST(TimerServiceTest, CancelledTimerNeverFires) {
  FakeClock clock;
  TimerService timers(clock, false);
  bool fired = false;
  auto id = timers.Schedule(clock.Now() + absl::Seconds(1), [&] { fired = true; });
  EXPECT_TRUE(timers.Cancel(id));
  EXPECT_FALSE(timers.Cancel(id));
  clock.Advance(absl::Seconds(2));
  timers.RunDue();
  EXPECT_FALSE(fired);
}

TEST(TimerServiceTest, RealClockThreadFiresByItself) {
  TimerService timers(Clock::Real(), true);
  absl::Notification done;
  timers.Schedule(Clock::Real().Now() + absl::Milliseconds(20), [&] { done.Notify(); });
  EXPECT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(10)));
}

}  // namespace
}  // namespace zaman

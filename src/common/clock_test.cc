#include "common/clock.h"

#include <gtest/gtest.h>

namespace zaman {
namespace {

TEST(FakeClockTest, MovesOnlyWhenTold) {
  FakeClock clock(absl::FromUnixSeconds(100));
  EXPECT_EQ(clock.Now(), absl::FromUnixSeconds(100));
  clock.Advance(absl::Seconds(5));
  EXPECT_EQ(clock.Now(), absl::FromUnixSeconds(105));
  clock.Set(absl::FromUnixSeconds(7));
  EXPECT_EQ(clock.Now(), absl::FromUnixSeconds(7));
}

TEST(RealClockTest, IsCloseToSystemTime) {
  EXPECT_LT(absl::AbsDuration(Clock::Real().Now() - absl::Now()), absl::Seconds(5));
}

}  // namespace
}  // namespace zaman

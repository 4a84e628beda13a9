#include "history/cron.h"

#include <gtest/gtest.h>

namespace zaman::history {
namespace {

absl::Time Utc(int y, int mo, int d, int h, int mi, int s = 0) {
  return absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, s), absl::UTCTimeZone());
}

absl::Time NextOf(absl::string_view spec, absl::Time after) {
  absl::StatusOr<CronSchedule> schedule = CronSchedule::Parse(spec);
  EXPECT_TRUE(schedule.ok()) << spec << ": " << schedule.status();
  return schedule.ok() ? schedule->Next(after) : absl::InfinitePast();
}

TEST(CronScheduleTest, EveryMinuteFiresAtTheNextWholeMinute) {
  EXPECT_EQ(NextOf("* * * * *", Utc(2026, 11, 25, 10, 30, 15)), Utc(2026, 11, 25, 10, 31));
  // Strictly after: a time on the minute moves on to the next one.
  EXPECT_EQ(NextOf("* * * * *", Utc(2026, 11, 25, 10, 31)), Utc(2026, 11, 25, 10, 32));
}

TEST(CronScheduleTest, FieldsListsRangesAndSteps) {
  EXPECT_EQ(NextOf("*/15 * * * *", Utc(2026, 11, 25, 10, 31)), Utc(2026, 11, 25, 10, 45));
  EXPECT_EQ(NextOf("0 9-17/4 * * *", Utc(2026, 11, 25, 14, 0)), Utc(2026, 11, 25, 17, 0));
  EXPECT_EQ(NextOf("5,35 3 * * *", Utc(2026, 11, 25, 3, 6)), Utc(2026, 11, 25, 3, 35));
  EXPECT_EQ(NextOf("30 2 1 * *", Utc(2026, 11, 25, 0, 0)), Utc(2026, 12, 1, 2, 30));
  EXPECT_EQ(NextOf("0 0 1 jan *", Utc(2026, 11, 25, 0, 0)), Utc(2027, 1, 1, 0, 0));
  // 2026-11-25 is a Wednesday; the next Monday is the 30th.
  EXPECT_EQ(NextOf("0 8 * * MON", Utc(2026, 11, 25, 0, 0)), Utc(2026, 11, 30, 8, 0));
  EXPECT_EQ(NextOf("0 8 * * 7", Utc(2026, 11, 25, 0, 0)), Utc(2026, 11, 29, 8, 0));  // 7 is Sunday
}

TEST(CronScheduleTest, BothDayFieldsRestrictedMatchEither) {
  // The 1st of the month or any Friday: Friday 2026-11-27 comes first.
  EXPECT_EQ(NextOf("0 0 1 * FRI", Utc(2026, 11, 25, 0, 0)), Utc(2026, 11, 27, 0, 0));
  // With the day of week unrestricted, only the 1st.
  EXPECT_EQ(NextOf("0 0 1 * *", Utc(2026, 11, 25, 0, 0)), Utc(2026, 12, 1, 0, 0));
}

TEST(CronScheduleTest, Descriptors) {
  EXPECT_EQ(NextOf("@hourly", Utc(2026, 11, 25, 10, 30)), Utc(2026, 11, 25, 11, 0));
  EXPECT_EQ(NextOf("@daily", Utc(2026, 11, 25, 10, 30)), Utc(2026, 11, 26, 0, 0));
  EXPECT_EQ(NextOf("@weekly", Utc(2026, 11, 25, 10, 30)), Utc(2026, 11, 29, 0, 0));
  EXPECT_EQ(NextOf("@monthly", Utc(2026, 11, 25, 10, 30)), Utc(2026, 12, 1, 0, 0));
  EXPECT_EQ(NextOf("@yearly", Utc(2026, 11, 25, 10, 30)), Utc(2027, 1, 1, 0, 0));
  EXPECT_EQ(NextOf("@every 90s", Utc(2026, 11, 25, 10, 30)), Utc(2026, 11, 25, 10, 31, 30));
  // @every drops the fraction of a second.
  EXPECT_EQ(NextOf("@every 2s", Utc(2026, 11, 25, 10, 30) + absl::Milliseconds(700)), Utc(2026, 11, 25, 10, 30, 2));
}

TEST(CronScheduleTest, TimeZonePrefix) {
  // 09:00 in New York on 2026-11-25 (EST, UTC-5) is 14:00 UTC.
  EXPECT_EQ(NextOf("CRON_TZ=America/New_York 0 9 * * *", Utc(2026, 11, 25, 12, 0)), Utc(2026, 11, 25, 14, 0));
}

TEST(CronScheduleTest, ImpossibleDateNeverFires) {
  EXPECT_EQ(NextOf("0 0 30 2 *", Utc(2026, 11, 25, 0, 0)), absl::InfiniteFuture());
}

TEST(CronScheduleTest, MalformedSchedulesNameTheProblem) {
  for (const char* bad : {"", "* * * *", "* * * * * *", "61 * * * *", "* 24 * * *", "* * 0 * *", "* * * 13 *",
                          "* * * * 8", "*/0 * * * *", "5-2 * * * *", "x * * * *", "@fortnightly", "@every",
                          "@every 0s", "@every soon", "CRON_TZ=Mars/Base * * * * *"}) {
    absl::StatusOr<CronSchedule> schedule = CronSchedule::Parse(bad);
    EXPECT_FALSE(schedule.ok()) << "'" << bad << "' parsed";
    if (!schedule.ok()) {
      EXPECT_EQ(schedule.status().code(), absl::StatusCode::kInvalidArgument);
      EXPECT_NE(schedule.status().message().find("Invalid CronSchedule"), std::string::npos) << schedule.status();
    }
  }
  absl::StatusOr<CronSchedule> minute = CronSchedule::Parse("61 * * * *");
  EXPECT_NE(minute.status().message().find("minute"), std::string::npos) << minute.status();
}

}  // namespace
}  // namespace zaman::history

// Cases from Temporal's service/worker/scheduler spec_test.go and calendar_test.go, plus DST,
// cron and jitter cases whose expected times were produced by Temporal v1.29.1's scheduler code.

#include "worker/schedule/spec.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "google/protobuf/text_format.h"
#include "google/protobuf/util/message_differencer.h"
#include "worker/schedule/calendar.h"

namespace zaman::worker::schedule {
namespace {

using ::temporal::api::schedule::v1::CalendarSpec;
using ::temporal::api::schedule::v1::StructuredCalendarSpec;

absl::Time Utc(int y, int mo, int d, int h, int mi, int s, int ms = 0) {
  return absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, s), absl::UTCTimeZone()) +
         absl::Milliseconds(ms);
}

absl::TimeZone Zone(const std::string& name) {
  absl::TimeZone tz;
  EXPECT_TRUE(absl::LoadTimeZone(name, &tz)) << name;
  return tz;
}

// A wall time in a zone (for a repeated hour, absl's first occurrence).
absl::Time Local(const std::string& zone, int y, int mo, int d, int h, int mi, int s) {
  return absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, s), Zone(zone));
}

ScheduleSpec Spec(const std::string& text) {
  ScheduleSpec spec;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &spec)) << text;
  return spec;
}

// A string calendar with an hour and minute field, in a zone.
ScheduleSpec ZonedCalendar(const std::string& hour, const std::string& minute,
                           const std::string& zone) {
  ScheduleSpec spec;
  CalendarSpec* calendar = spec.add_calendar();
  calendar->set_hour(hour);
  calendar->set_minute(minute);
  spec.set_timezone_name(zone);
  return spec;
}

CompiledSpec MustCompile(const ScheduleSpec& spec) {
  absl::StatusOr<CompiledSpec> compiled = CompiledSpec::Compile(spec);
  EXPECT_TRUE(compiled.ok()) << compiled.status();
  return *std::move(compiled);
}

// The actual times of the next `n` actions, each search starting at the previous action, as
// Temporal's scheduler does.
std::vector<absl::Time> Actual(const ScheduleSpec& spec, absl::Time after, size_t n,
                               absl::string_view seed = "") {
  const CompiledSpec compiled = MustCompile(spec);
  std::vector<absl::Time> out;
  while (out.size() < n) {
    std::optional<ActionTime> next = compiled.Next(after, seed);
    if (!next) break;
    out.push_back(next->actual);
    after = next->actual;
  }
  return out;
}

std::string CompileError(const ScheduleSpec& spec) {
  absl::StatusOr<CompiledSpec> compiled = CompiledSpec::Compile(spec);
  if (compiled.ok()) return "ok";
  EXPECT_EQ(compiled.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(compiled.status().message());
}

using Times = std::vector<absl::Time>;

// --- Intervals --------------------------------------------------------------------------------

TEST(SpecIntervalTest, AlignedToTheEpoch) {
  EXPECT_EQ(Actual(Spec("interval { interval { seconds: 5400 } }"), Utc(2022, 3, 23, 12, 53, 2),
                   4),
            (Times{Utc(2022, 3, 23, 13, 30, 0), Utc(2022, 3, 23, 15, 0, 0),
                   Utc(2022, 3, 23, 16, 30, 0), Utc(2022, 3, 23, 18, 0, 0)}));
}

TEST(SpecIntervalTest, PhaseShiftsTheAlignment) {
  EXPECT_EQ(Actual(Spec("interval { interval { seconds: 5400 } phase { seconds: 344 } }"),
                   Utc(2022, 3, 23, 12, 53, 2), 4),
            (Times{Utc(2022, 3, 23, 13, 35, 44), Utc(2022, 3, 23, 15, 5, 44),
                   Utc(2022, 3, 23, 16, 35, 44), Utc(2022, 3, 23, 18, 5, 44)}));
}

TEST(SpecIntervalTest, SeveralIntervalsMerge) {
  EXPECT_EQ(Actual(Spec("interval { interval { seconds: 5400 } phase { seconds: 344 } }"
                        "interval { interval { seconds: 9420 } phase { seconds: 1331 } }"),
                   Utc(2022, 3, 23, 12, 53, 2), 7),
            (Times{Utc(2022, 3, 23, 13, 35, 44), Utc(2022, 3, 23, 15, 5, 44),
                   Utc(2022, 3, 23, 15, 26, 11), Utc(2022, 3, 23, 16, 35, 44),
                   Utc(2022, 3, 23, 18, 3, 11), Utc(2022, 3, 23, 18, 5, 44),
                   Utc(2022, 3, 23, 19, 35, 44)}));
}

TEST(SpecIntervalTest, EveryWithPhaseCronString) {
  EXPECT_EQ(Actual(Spec(R"(cron_string: "@every 90m/15m")"), Utc(2022, 3, 23, 12, 53, 2), 3),
            (Times{Utc(2022, 3, 23, 13, 45, 0), Utc(2022, 3, 23, 15, 15, 0),
                   Utc(2022, 3, 23, 16, 45, 0)}));
}

TEST(SpecIntervalTest, IgnoresDaylightSavingChanges) {
  EXPECT_EQ(Actual(Spec(R"(interval { interval { seconds: 3600 } } timezone_name: "America/New_York")"),
                   Utc(2022, 11, 6, 4, 30, 0), 3),
            (Times{Utc(2022, 11, 6, 5, 0, 0), Utc(2022, 11, 6, 6, 0, 0), Utc(2022, 11, 6, 7, 0, 0)}));
}

// --- Calendars --------------------------------------------------------------------------------

TEST(SpecCalendarTest, StringCalendarDefaultsToMidnightDaily) {
  EXPECT_EQ(Actual(Spec("calendar {}"), Utc(2022, 3, 17, 5, 15, 0), 2),
            (Times{Utc(2022, 3, 18, 0, 0, 0), Utc(2022, 3, 19, 0, 0, 0)}));
}

TEST(SpecCalendarTest, HoursAndMinute) {
  EXPECT_EQ(Actual(Spec(R"(calendar { hour: "5,7" minute: "23" })"), Utc(2022, 3, 23, 3, 0, 0), 4),
            (Times{Utc(2022, 3, 23, 5, 23, 0), Utc(2022, 3, 23, 7, 23, 0),
                   Utc(2022, 3, 24, 5, 23, 0), Utc(2022, 3, 24, 7, 23, 0)}));
}

TEST(SpecCalendarTest, CalendarsAndCronStringsMerge) {
  const Times expected{Utc(2022, 3, 23, 5, 23, 0),  Utc(2022, 3, 23, 7, 23, 0),
                       Utc(2022, 3, 23, 11, 55, 0), Utc(2022, 3, 23, 13, 55, 0),
                       Utc(2022, 3, 24, 5, 23, 0),  Utc(2022, 3, 24, 7, 23, 0)};
  EXPECT_EQ(Actual(Spec(R"(calendar { hour: "5,7" minute: "23" }
                          calendar { hour: "11,13" minute: "55" })"),
                   Utc(2022, 3, 23, 3, 0, 0), 6),
            expected);
  EXPECT_EQ(Actual(Spec(R"(calendar { hour: "5,7" minute: "23" }
                          cron_string: "55 11,13 * * *")"),
                   Utc(2022, 3, 23, 3, 0, 0), 6),
            expected);
}

TEST(SpecCalendarTest, MixedWithInterval) {
  EXPECT_EQ(Actual(Spec(R"(calendar { hour: "11,13" minute: "55" }
                          interval { interval { seconds: 5400 } phase { seconds: 420 } })"),
                   Utc(2022, 3, 23, 10, 0, 0), 6),
            (Times{Utc(2022, 3, 23, 10, 37, 0), Utc(2022, 3, 23, 11, 55, 0),
                   Utc(2022, 3, 23, 12, 7, 0), Utc(2022, 3, 23, 13, 37, 0),
                   Utc(2022, 3, 23, 13, 55, 0), Utc(2022, 3, 23, 15, 7, 0)}));
}

TEST(SpecCalendarTest, StructuredCalendar) {
  // Every 20 minutes from 9:00 to 9:40 on the 1st and 15th.
  EXPECT_EQ(Actual(Spec(R"(structured_calendar {
                             second { start: 0 } minute { start: 0 end: 59 step: 20 }
                             hour { start: 9 } day_of_month { start: 1 } day_of_month { start: 15 }
                             month { start: 1 end: 12 } day_of_week { start: 0 end: 6 } })"),
                   Utc(2022, 3, 2, 0, 0, 0), 4),
            (Times{Utc(2022, 3, 15, 9, 0, 0), Utc(2022, 3, 15, 9, 20, 0),
                   Utc(2022, 3, 15, 9, 40, 0), Utc(2022, 4, 1, 9, 0, 0)}));
  // A structured calendar has no defaults: an absent field matches nothing.
  EXPECT_EQ(Actual(Spec("structured_calendar { second { start: 0 } minute { start: 0 } "
                        "hour { start: 9 } day_of_month { start: 1 end: 31 } "
                        "month { start: 1 end: 12 } }"),
                   Utc(2022, 3, 2, 0, 0, 0), 1),
            Times{});
}

TEST(SpecCalendarTest, DayOfMonthAndDayOfWeekMustBothMatch) {
  // Unlike classic cron (either), Temporal requires both: Friday the 13th.
  EXPECT_EQ(Actual(Spec(R"(cron_string: "0 12 13 * 5")"), Utc(2022, 1, 1, 0, 0, 0), 3),
            (Times{Utc(2022, 5, 13, 12, 0, 0), Utc(2023, 1, 13, 12, 0, 0),
                   Utc(2023, 10, 13, 12, 0, 0)}));
  // The first Sunday of the month.
  EXPECT_EQ(Actual(Spec(R"(calendar { day_of_week: "sun" day_of_month: "1-7" hour: "10" })"),
                   Utc(2022, 1, 1, 0, 0, 0), 3),
            (Times{Utc(2022, 1, 2, 10, 0, 0), Utc(2022, 2, 6, 10, 0, 0), Utc(2022, 3, 6, 10, 0, 0)}));
}

TEST(SpecCalendarTest, ShortMonthsAndLeapDays) {
  EXPECT_EQ(Actual(Spec(R"(cron_string: "0 0 29 2 *")"), Utc(2022, 1, 1, 0, 0, 0), 2),
            (Times{Utc(2024, 2, 29, 0, 0, 0), Utc(2028, 2, 29, 0, 0, 0)}));
  EXPECT_EQ(Actual(Spec(R"(cron_string: "0 0 31 * *")"), Utc(2022, 1, 1, 0, 0, 0), 3),
            (Times{Utc(2022, 1, 31, 0, 0, 0), Utc(2022, 3, 31, 0, 0, 0), Utc(2022, 5, 31, 0, 0, 0)}));
}

TEST(SpecCalendarTest, SecondsMinutesWeekdaysInAZone) {
  // Temporal's calendar_test: 5:55:55 on even days that are a Wednesday or Thursday, Pacific.
  const ScheduleSpec spec = Spec(R"(calendar { second: "55" minute: "55" hour: "5"
                                     day_of_week: "wed-thurs" day_of_month: "2/2" }
                                   timezone_name: "US/Pacific")");
  const auto at = [](int mo, int d, int h, int mi, int s) {
    return Local("US/Pacific", 2022, mo, d, h, mi, s);
  };
  EXPECT_EQ(Actual(spec, at(3, 2, 5, 55, 33), 1), Times{at(3, 2, 5, 55, 55)});
  EXPECT_EQ(Actual(spec, at(3, 2, 5, 33, 33), 1), Times{at(3, 2, 5, 55, 55)});
  EXPECT_EQ(Actual(spec, at(3, 2, 3, 33, 33), 1), Times{at(3, 2, 5, 55, 55)});
  EXPECT_EQ(Actual(spec, at(3, 1, 1, 11, 11), 1), Times{at(3, 2, 5, 55, 55)});
  // From an exact match, and across the DST change on March 13.
  EXPECT_EQ(Actual(spec, at(3, 2, 5, 55, 55), 2),
            (Times{at(3, 10, 5, 55, 55), at(3, 16, 5, 55, 55)}));
  EXPECT_EQ(at(3, 16, 5, 55, 55), Utc(2022, 3, 16, 12, 55, 55));
}

TEST(SpecCalendarTest, YearsAndTheLastYear) {
  EXPECT_EQ(Actual(Spec(R"(cron_string: "0 0 1 1 * 2098-2100")"), Utc(2022, 1, 1, 0, 0, 0), 4),
            (Times{Utc(2098, 1, 1, 0, 0, 0), Utc(2099, 1, 1, 0, 0, 0), Utc(2100, 1, 1, 0, 0, 0)}));
  EXPECT_EQ(Actual(Spec(R"(calendar { hour: "13" minute: "55" day_of_month: "7" month: "4"
                                     year: "2022" })"),
                   Utc(2022, 3, 23, 11, 0, 0), 2),
            Times{Utc(2022, 4, 7, 13, 55, 0)});
  // Intervals stop at the end of 2100 too.
  EXPECT_EQ(Actual(Spec("interval { interval { seconds: 3600 } }"), Utc(2100, 12, 31, 21, 30, 0), 4),
            (Times{Utc(2100, 12, 31, 22, 0, 0), Utc(2100, 12, 31, 23, 0, 0)}));
}

// --- Cron strings -----------------------------------------------------------------------------

TEST(SpecCronTest, Descriptors) {
  const absl::Time after = Utc(2022, 3, 23, 12, 53, 2);  // a Wednesday
  EXPECT_EQ(Actual(Spec(R"(cron_string: "@hourly")"), after, 2),
            (Times{Utc(2022, 3, 23, 13, 0, 0), Utc(2022, 3, 23, 14, 0, 0)}));
  for (const char* daily : {"@daily", "@midnight"}) {
    EXPECT_EQ(Actual(Spec(absl::StrCat("cron_string: \"", daily, "\"")), after, 1),
              Times{Utc(2022, 3, 24, 0, 0, 0)});
  }
  EXPECT_EQ(Actual(Spec(R"(cron_string: "@weekly")"), after, 2),
            (Times{Utc(2022, 3, 27, 0, 0, 0), Utc(2022, 4, 3, 0, 0, 0)}));
  EXPECT_EQ(Actual(Spec(R"(cron_string: "@monthly")"), after, 2),
            (Times{Utc(2022, 4, 1, 0, 0, 0), Utc(2022, 5, 1, 0, 0, 0)}));
  for (const char* yearly : {"@yearly", "@annually"}) {
    EXPECT_EQ(Actual(Spec(absl::StrCat("cron_string: \"", yearly, "\"")), after, 1),
              Times{Utc(2023, 1, 1, 0, 0, 0)});
  }
}

TEST(SpecCronTest, TimeZonePrefixAndComment) {
  // 9:00 New York time on weekdays; the comment is dropped from the times, kept in the spec.
  const ScheduleSpec spec =
      Spec(R"(cron_string: "TZ=America/New_York 0 9 * * mon-fri # weekday mornings")");
  EXPECT_EQ(Actual(spec, Utc(2022, 3, 11, 0, 0, 0), 3),
            (Times{Utc(2022, 3, 11, 14, 0, 0), Utc(2022, 3, 14, 13, 0, 0),
                   Utc(2022, 3, 15, 13, 0, 0)}));
  absl::StatusOr<ScheduleSpec> canonical = Canonicalize(spec);
  ASSERT_TRUE(canonical.ok()) << canonical.status();
  EXPECT_EQ(canonical->timezone_name(), "America/New_York");
  EXPECT_EQ(canonical->structured_calendar(0).comment(), "weekday mornings");
  EXPECT_EQ(canonical->cron_string_size(), 0);

  EXPECT_EQ(Actual(Spec(R"(cron_string: "CRON_TZ=Asia/Kolkata 0 0 * * * *")"),
                   Utc(2022, 3, 23, 12, 0, 0), 1),
            Times{Utc(2022, 3, 23, 18, 30, 0)});
}

TEST(SpecCronTest, ParsesToStructuredCalendars) {
  absl::StatusOr<internal::ParsedCron> parsed = internal::ParseCronString("5,9 */2 * * *");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->calendar->ShortDebugString(),
            "second { } minute { start: 5 } minute { start: 9 } hour { end: 23 step: 2 } "
            "day_of_month { start: 1 end: 31 } month { start: 1 end: 12 } day_of_week { end: 6 }");
  EXPECT_FALSE(parsed->interval);
  EXPECT_EQ(parsed->time_zone, "");

  parsed = internal::ParseCronString(
      "CRON_TZ=US/Pacific 55 55,57 5 2/2 * wed-thurs *  # explanation");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->calendar->ShortDebugString(),
            "second { start: 55 } minute { start: 55 } minute { start: 57 } hour { start: 5 } "
            "day_of_month { start: 2 end: 31 step: 2 } month { start: 1 end: 12 } "
            "day_of_week { start: 3 end: 4 } comment: \"explanation\"");
  EXPECT_EQ(parsed->time_zone, "US/Pacific");

  parsed = internal::ParseCronString("@monthly");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->calendar->ShortDebugString(),
            "second { } minute { } hour { } day_of_month { start: 1 } "
            "month { start: 1 end: 12 } day_of_week { end: 6 }");

  parsed = internal::ParseCronString("@every 5d");
  ASSERT_TRUE(parsed.ok());
  EXPECT_FALSE(parsed->calendar);
  EXPECT_EQ(parsed->interval->ShortDebugString(), "interval { seconds: 432000 }");
  parsed = internal::ParseCronString("@every 5h/45m");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->interval->ShortDebugString(),
            "interval { seconds: 18000 } phase { seconds: 2700 }");
}

TEST(SpecCronTest, Errors) {
  const auto error = [](absl::string_view cron) {
    absl::StatusOr<internal::ParsedCron> parsed = internal::ParseCronString(cron);
    return parsed.ok() ? "ok" : std::string(parsed.status().message());
  };
  EXPECT_EQ(error("0 1 2 3 4 1999"), "Year is not in range [2000-2100]");
  EXPECT_EQ(error("* * * *"), "CronString does not have 5-7 fields");
  EXPECT_EQ(error("* * * * * * * *"), "CronString does not have 5-7 fields");
  EXPECT_EQ(error("CRON_TZ=Europe/Berlin"), "CronString has time zone but missing fields");
  EXPECT_EQ(error("@every"), "CronString does not have interval after @every");
  EXPECT_EQ(error("@every 5x"), "time: unknown unit \"x\" in duration \"5x\"");
  EXPECT_EQ(error("@every 5"), "time: missing unit in duration \"5\"");
  EXPECT_EQ(error("@reboot"), "CronString does not have 5-7 fields");
  EXPECT_EQ(error("61 * * * *"), "Minute is not in range [0-59]");
  EXPECT_EQ(error("*/0 * * * *"), "Minute has invalid Step");
  EXPECT_EQ(error("*/x * * * *"), "strconv.Atoi: parsing \"x\": invalid syntax");
}

// --- Ranges and names -------------------------------------------------------------------------

std::string Minutes(const std::string& text) {
  CalendarSpec calendar;
  calendar.set_minute(text);
  absl::StatusOr<StructuredCalendarSpec> parsed = internal::ParseCalendar(calendar);
  if (!parsed.ok()) return std::string(parsed.status().message());
  std::string out;
  for (const auto& r : parsed->minute()) absl::StrAppend(&out, r.ShortDebugString(), ";");
  return out;
}

TEST(SpecRangeTest, Syntax) {
  EXPECT_EQ(Minutes("13"), "start: 13;");
  EXPECT_EQ(Minutes("133"), "Minute is not in range [0-59]");
  EXPECT_EQ(Minutes("13,18,44"), "start: 13;start: 18;start: 44;");
  EXPECT_EQ(Minutes("13,18,44,"), "Minute is not in range [0-59]");
  EXPECT_EQ(Minutes("13-18"), "start: 13 end: 18;");
  EXPECT_EQ(Minutes("18-13"), "Minute End is before Start or not in range [0-59]");
  EXPECT_EQ(Minutes("1,3,18-13"), "Minute End is before Start or not in range [0-59]");
  EXPECT_EQ(Minutes("2-5,7-9,11"), "start: 2 end: 5;start: 7 end: 9;start: 11;");
  EXPECT_EQ(Minutes("*"), "end: 59;");
  EXPECT_EQ(Minutes("*/3"), "end: 59 step: 3;");
  EXPECT_EQ(Minutes("2/3"), "start: 2 end: 59 step: 3;");
  EXPECT_EQ(Minutes("2/3/5"), "Minute has too many slashes");
  EXPECT_EQ(Minutes("5/"), "Minute missing step value");
  EXPECT_EQ(Minutes("1-5-7"), "Minute has too many dashes");
  EXPECT_EQ(Minutes("2-6/4,7-8"), "start: 2 end: 6 step: 4;start: 7 end: 8;");
  EXPECT_EQ(Minutes(" 7 "), "start: 7;");
  EXPECT_EQ(Minutes(""), ";");  // minute defaults to 0 (a range with every field at default)
}

TEST(SpecRangeTest, MonthAndWeekdayNames) {
  CalendarSpec calendar;
  calendar.set_month("Sept,jan-MAR");
  calendar.set_day_of_week("mon-Friday");
  absl::StatusOr<StructuredCalendarSpec> parsed = internal::ParseCalendar(calendar);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->month(0).start(), 9);
  EXPECT_EQ(parsed->month(1).ShortDebugString(), "start: 1 end: 3");
  EXPECT_EQ(parsed->day_of_week(0).ShortDebugString(), "start: 1 end: 5");

  calendar.set_day_of_week("Fri-Tues");
  EXPECT_EQ(internal::ParseCalendar(calendar).status().message(),
            "DayOfWeek End is before Start or not in range [0-7]");
  calendar.set_day_of_week("monday-");
  EXPECT_EQ(internal::ParseCalendar(calendar).status().message(),
            "DayOfWeek End is before Start or not in range [0-7]");
  // Two letters name a weekday, a month needs three.
  calendar.set_day_of_week("th");
  calendar.set_month("ja");
  EXPECT_EQ(internal::ParseCalendar(calendar).status().message(), "Month is not in range [1-12]");
}

TEST(SpecRangeTest, SundayIsZeroOrSeven) {
  const absl::Time sunday = Utc(2022, 3, 6, 0, 0, 0);
  const absl::Time saturday = Utc(2022, 3, 5, 0, 0, 0);
  const absl::Time monday = Utc(2022, 3, 7, 0, 0, 0);
  auto matches = [](const std::string& dow, absl::Time t) {
    CalendarSpec calendar;
    calendar.set_day_of_week(dow);
    absl::StatusOr<StructuredCalendarSpec> parsed = internal::ParseCalendar(calendar);
    EXPECT_TRUE(parsed.ok()) << dow;
    absl::StatusOr<internal::CompiledCalendar> compiled =
        internal::CompiledCalendar::Create(*parsed, absl::UTCTimeZone());
    return compiled->Matches(absl::ToUnixSeconds(t));
  };
  for (const char* dow : {"0", "7", "sun", "*", "0-3", "5-7", "5-7/2", "6-7", "2-7/5", "0-7/7", "0/7"}) {
    EXPECT_TRUE(matches(dow, sunday)) << dow;
  }
  for (const char* dow : {"*", "5-7", "6-7", "2/4", "2-7/4"}) EXPECT_TRUE(matches(dow, saturday)) << dow;
  for (const char* dow : {"0", "7", "sun", "5-7", "5-7/2", "6-7", "2-7/5", "0-7/7", "0/7"}) {
    EXPECT_FALSE(matches(dow, monday)) << dow;
  }
}

TEST(SpecRangeTest, CalendarMatchesInItsZone) {
  CalendarSpec calendar;
  calendar.set_minute("5,9");
  calendar.set_hour("*/2");
  absl::StatusOr<internal::CompiledCalendar> utc =
      internal::CompiledCalendar::Create(*internal::ParseCalendar(calendar), absl::UTCTimeZone());
  absl::StatusOr<internal::CompiledCalendar> pacific =
      internal::CompiledCalendar::Create(*internal::ParseCalendar(calendar), Zone("US/Pacific"));
  EXPECT_TRUE(utc->Matches(absl::ToUnixSeconds(Utc(2022, 3, 17, 14, 5, 0))));
  EXPECT_FALSE(utc->Matches(absl::ToUnixSeconds(Utc(2022, 3, 17, 14, 5, 33))));
  EXPECT_FALSE(utc->Matches(absl::ToUnixSeconds(Utc(2022, 3, 17, 14, 15, 0))));
  // 3:09 Pacific (PDT) is 10:09 UTC: an even hour in UTC, an odd one in Pacific.
  EXPECT_TRUE(utc->Matches(absl::ToUnixSeconds(Local("US/Pacific", 2022, 3, 18, 3, 9, 0))));
  EXPECT_FALSE(utc->Matches(absl::ToUnixSeconds(Utc(2022, 3, 18, 3, 9, 0))));
  EXPECT_FALSE(pacific->Matches(absl::ToUnixSeconds(Utc(2022, 3, 18, 10, 9, 0))));
  EXPECT_TRUE(pacific->Matches(absl::ToUnixSeconds(Utc(2022, 3, 18, 11, 9, 0))));
}

// --- Daylight saving time ---------------------------------------------------------------------

TEST(SpecDstTest, PacificSpringForwardSkipsTheMissingTime) {
  // Go (and so Temporal) reads the missing 2:33:33 on March 13 as 1:33:33; it is not fired.
  EXPECT_EQ(Actual(Spec(R"(cron_string: "CRON_TZ=US/Pacific 33 33 2 * * * *")"),
                   Local("US/Pacific", 2022, 3, 11, 20, 0, 0), 2),
            (Times{Local("US/Pacific", 2022, 3, 12, 2, 33, 33),
                   Local("US/Pacific", 2022, 3, 14, 2, 33, 33)}));
}

TEST(SpecDstTest, PacificFallBackFiresTheRepeatedHourTwice) {
  const absl::Time first = Local("US/Pacific", 2021, 11, 7, 1, 33, 33);  // PDT
  EXPECT_EQ(Actual(Spec(R"(cron_string: "CRON_TZ=US/Pacific 33 33,44 1 * * * *")"),
                   Local("US/Pacific", 2021, 11, 7, 0, 15, 15), 5),
            (Times{first, first + absl::Minutes(11), first + absl::Hours(1),
                   first + absl::Hours(1) + absl::Minutes(11),
                   Local("US/Pacific", 2021, 11, 8, 1, 33, 33)}));
}

TEST(SpecDstTest, NewYorkSpringForward) {
  // 2:30 does not exist on 2022-03-13: that day has no action.
  EXPECT_EQ(Actual(ZonedCalendar("2", "30", "America/New_York"),
                   Utc(2022, 3, 11, 12, 0, 0), 3),
            (Times{Utc(2022, 3, 12, 7, 30, 0), Utc(2022, 3, 14, 6, 30, 0), Utc(2022, 3, 15, 6, 30, 0)}));
  // Every half hour: 1:00, 1:30 EST, then 3:00 EDT.
  EXPECT_EQ(Actual(ZonedCalendar("*", "0,30", "America/New_York"),
                   Utc(2022, 3, 13, 5, 45, 0), 4),
            (Times{Utc(2022, 3, 13, 6, 0, 0), Utc(2022, 3, 13, 6, 30, 0), Utc(2022, 3, 13, 7, 0, 0),
                   Utc(2022, 3, 13, 7, 30, 0)}));
}

TEST(SpecDstTest, NewYorkFallBack) {
  // 1:30 happens twice on 2022-11-06 (EDT, then EST): two actions.
  EXPECT_EQ(Actual(ZonedCalendar("1", "30", "America/New_York"),
                   Utc(2022, 11, 5, 12, 0, 0), 3),
            (Times{Utc(2022, 11, 6, 5, 30, 0), Utc(2022, 11, 6, 6, 30, 0), Utc(2022, 11, 7, 6, 30, 0)}));
  // 2:30 happens once.
  EXPECT_EQ(Actual(ZonedCalendar("2", "30", "America/New_York"),
                   Utc(2022, 11, 5, 12, 0, 0), 2),
            (Times{Utc(2022, 11, 6, 7, 30, 0), Utc(2022, 11, 7, 7, 30, 0)}));
  EXPECT_EQ(Actual(ZonedCalendar("*", "0,30", "America/New_York"),
                   Utc(2022, 11, 6, 3, 45, 0), 7),
            (Times{Utc(2022, 11, 6, 4, 0, 0), Utc(2022, 11, 6, 4, 30, 0), Utc(2022, 11, 6, 5, 0, 0),
                   Utc(2022, 11, 6, 5, 30, 0), Utc(2022, 11, 6, 6, 0, 0), Utc(2022, 11, 6, 6, 30, 0),
                   Utc(2022, 11, 6, 7, 0, 0)}));
}

TEST(SpecDstTest, BerlinSpringForward) {
  // 2:30 does not exist on 2022-03-27.
  EXPECT_EQ(Actual(ZonedCalendar("2", "30", "Europe/Berlin"),
                   Utc(2022, 3, 25, 12, 0, 0), 3),
            (Times{Utc(2022, 3, 26, 1, 30, 0), Utc(2022, 3, 28, 0, 30, 0), Utc(2022, 3, 29, 0, 30, 0)}));
  // 1:30 CET, then 3:00 CEST.
  EXPECT_EQ(Actual(ZonedCalendar("*", "0,30", "Europe/Berlin"),
                   Utc(2022, 3, 27, 0, 15, 0), 3),
            (Times{Utc(2022, 3, 27, 0, 30, 0), Utc(2022, 3, 27, 1, 0, 0), Utc(2022, 3, 27, 1, 30, 0)}));
}

TEST(SpecDstTest, BerlinFallBackFiresOnlyTheSecondCopy) {
  // East of UTC Go resolves a repeated wall time to its second occurrence, and Temporal's walk
  // then passes over the first copy of the hour: 2:00 and 2:30 CEST get no action, 2:00 CET
  // neither, 2:30 CET does. Zaman reproduces this.
  EXPECT_EQ(Actual(ZonedCalendar("*", "0,30", "Europe/Berlin"),
                   Utc(2022, 10, 29, 23, 15, 0), 5),
            (Times{Utc(2022, 10, 29, 23, 30, 0), Utc(2022, 10, 30, 0, 0, 0),
                   Utc(2022, 10, 30, 1, 30, 0), Utc(2022, 10, 30, 2, 0, 0),
                   Utc(2022, 10, 30, 2, 30, 0)}));
  EXPECT_EQ(Actual(Spec(R"(cron_string: "CRON_TZ=Europe/Berlin 0 2 * * *")"),
                   Utc(2022, 10, 29, 12, 0, 0), 2),
            (Times{Utc(2022, 10, 30, 1, 0, 0), Utc(2022, 10, 31, 1, 0, 0)}));
}

TEST(SpecDstTest, StartInsideARepeatedHour) {
  // Temporal's calendar_test: London, 00:01 on January 2 when it is a Sunday.
  const ScheduleSpec spec = Spec(R"(calendar { second: "0" minute: "1" hour: "0"
                                     day_of_month: "2" month: "Jan" day_of_week: "Sun" }
                                   timezone_name: "Europe/London")");
  const absl::Time expected = Local("Europe/London", 2005, 1, 2, 0, 1, 0);
  EXPECT_EQ(Actual(spec, Local("Europe/London", 2004, 1, 1, 0, 0, 5), 1), Times{expected});
  EXPECT_EQ(Actual(spec, Local("Europe/London", 2004, 10, 31, 1, 7, 3), 1), Times{expected});
}

TEST(SpecDstTest, MidnightTransitionsInHavana) {
  EXPECT_EQ(Actual(ZonedCalendar("0", "30", "America/Havana"),
                   Utc(2022, 3, 12, 12, 0, 0), 2),
            (Times{Utc(2022, 3, 14, 4, 30, 0), Utc(2022, 3, 15, 4, 30, 0)}));
  EXPECT_EQ(Actual(ZonedCalendar("0", "30", "America/Havana"),
                   Utc(2022, 11, 5, 12, 0, 0), 2),
            (Times{Utc(2022, 11, 6, 4, 30, 0), Utc(2022, 11, 6, 5, 30, 0)}));
}

// --- Exclusions, start and end ----------------------------------------------------------------

TEST(SpecBoundsTest, ExcludedTimesAreSkipped) {
  EXPECT_EQ(Actual(Spec(R"(interval { interval { seconds: 5400 } }
                          exclude_calendar { hour: "12-14" minute: "*" second: "*" }
                          jitter { seconds: 1 })"),
                   Utc(2022, 3, 23, 8, 0, 0), 4),
            (Times{Utc(2022, 3, 23, 9, 0, 0, 235), Utc(2022, 3, 23, 10, 30, 0, 139),
                   Utc(2022, 3, 23, 15, 0, 0, 89), Utc(2022, 3, 23, 16, 30, 0, 687)}));
  // Weekends off.
  EXPECT_EQ(Actual(Spec(R"(cron_string: "0 12 * * *"
                          exclude_structured_calendar {
                            second { start: 0 end: 59 } minute { start: 0 end: 59 }
                            hour { start: 0 end: 23 } day_of_month { start: 1 end: 31 }
                            month { start: 1 end: 12 } day_of_week { start: 0 } day_of_week { start: 6 } })"),
                   Utc(2022, 3, 25, 13, 0, 0), 1),
            Times{Utc(2022, 3, 28, 12, 0, 0)});
}

TEST(SpecBoundsTest, ExcludingEverythingLeavesNothing) {
  EXPECT_EQ(Actual(Spec(R"(interval { interval { seconds: 604800 } }
                          exclude_calendar { second: "*" minute: "*" hour: "*" })"),
                   Utc(2022, 3, 23, 12, 53, 2), 1),
            Times{});
  // Too many excluded candidates: Zaman gives up instead of scanning to 2100.
  absl::StatusOr<CompiledSpec> compiled = CompiledSpec::Compile(
      Spec(R"(calendar { second: "*" minute: "*" hour: "*" }
              exclude_calendar { second: "*" minute: "*" hour: "*" })"),
      CompileOptions{.max_excluded_candidates = 1000});
  ASSERT_TRUE(compiled.ok());
  EXPECT_EQ(compiled->Next(Utc(2022, 3, 23, 12, 0, 0), ""), std::nullopt);
}

TEST(SpecBoundsTest, StartTime) {
  EXPECT_EQ(Actual(Spec(R"(interval { interval { seconds: 5400 } }
                          start_time { seconds: 1648036800 } jitter { seconds: 1 })"),
                   Utc(2022, 3, 23, 8, 0, 0), 3),
            (Times{Utc(2022, 3, 23, 12, 0, 0, 162), Utc(2022, 3, 23, 13, 30, 0, 587),
                   Utc(2022, 3, 23, 15, 0, 0, 89)}));
  // A start time with a fraction of a second: the whole second before it still counts.
  EXPECT_EQ(Actual(Spec(R"(interval { interval { seconds: 3600 } }
                          start_time { seconds: 1648036800 nanos: 456000000 })"),
                   Utc(2022, 3, 23, 12, 0, 0, 123), 1),
            Times{Utc(2022, 3, 23, 13, 0, 0)});
}

TEST(SpecBoundsTest, EndTime) {
  EXPECT_EQ(Actual(Spec(R"(interval { interval { seconds: 5400 } }
                          end_time { seconds: 1648044000 } jitter { seconds: 1 })"),
                   Utc(2022, 3, 23, 11, 0, 0), 3),
            (Times{Utc(2022, 3, 23, 12, 0, 0, 162), Utc(2022, 3, 23, 13, 30, 0, 587)}));
  // The end time itself still matches.
  EXPECT_EQ(Actual(Spec(R"(interval { interval { seconds: 3600 } } end_time { seconds: 1648044000 })"),
                   Utc(2022, 3, 23, 12, 30, 0), 3),
            (Times{Utc(2022, 3, 23, 13, 0, 0), Utc(2022, 3, 23, 14, 0, 0)}));
}

// --- Jitter -----------------------------------------------------------------------------------

TEST(SpecJitterTest, SameTimesAsTemporal) {
  const ScheduleSpec daily = Spec("interval { interval { seconds: 86400 } } jitter { seconds: 3600 }");
  const absl::Time after = Utc(2022, 3, 23, 11, 0, 0);
  EXPECT_EQ(Actual(daily, after, 1, ""), Times{Utc(2022, 3, 24, 0, 35, 24, 276)});
  EXPECT_EQ(Actual(daily, after, 1, "seed-1"), Times{Utc(2022, 3, 24, 0, 6, 12, 519)});
  EXPECT_EQ(Actual(daily, after, 1, "seed-2"), Times{Utc(2022, 3, 24, 0, 39, 16, 922)});
  // A seed the size Temporal uses ("<namespace id>-<schedule id>").
  EXPECT_EQ(Actual(daily, after, 3, "0b8f-namespace-id-4c2a-9e1f-5d3b7a6c8e90-my-schedule"),
            (Times{Utc(2022, 3, 24, 0, 7, 50, 50), Utc(2022, 3, 25, 0, 37, 56, 548),
                   Utc(2022, 3, 26, 0, 1, 14, 820)}));
  EXPECT_EQ(Actual(Spec(R"(calendar { hour: "13" minute: "55" day_of_month: "7" month: "4"
                                     year: "2022" } jitter { seconds: 3600 })"),
                   after, 1),
            Times{Utc(2022, 4, 7, 13, 57, 26, 927)});
}

TEST(SpecJitterTest, NeverPastTheFollowingNominalTime) {
  // 24h of jitter on a 90 minute interval is cut to 90 minutes.
  EXPECT_EQ(Actual(Spec("interval { interval { seconds: 5400 } } jitter { seconds: 86400 }"),
                   Utc(2022, 3, 23, 11, 0, 0), 3),
            (Times{Utc(2022, 3, 23, 12, 14, 36, 524), Utc(2022, 3, 23, 14, 22, 54, 562),
                   Utc(2022, 3, 23, 15, 8, 3, 724)}));
  const CompiledSpec every_minute =
      MustCompile(Spec("interval { interval { seconds: 60 } } jitter { seconds: 3600 }"));
  absl::Time after = Utc(2022, 3, 23, 11, 0, 0);
  for (int i = 0; i < 200; ++i) {
    const std::optional<ActionTime> next = every_minute.Next(after, "ns-schedule");
    ASSERT_TRUE(next);
    EXPECT_GE(next->actual, next->nominal);
    EXPECT_LT(next->actual, next->nominal + absl::Minutes(1));
    EXPECT_EQ(next->nominal, absl::FromUnixSeconds((absl::ToUnixSeconds(after) / 60 + 1) * 60));
    after = next->actual;
  }
}

TEST(SpecJitterTest, DeterministicPerSeedAndNominalTime) {
  const CompiledSpec spec =
      MustCompile(Spec("interval { interval { seconds: 86400 } } jitter { seconds: 3600 }"));
  const CompiledSpec copy = spec;  // NOLINT(performance-unnecessary-copy-initialization)
  const absl::Time after = Utc(2022, 3, 23, 11, 0, 0);
  EXPECT_EQ(spec.Next(after, "a")->actual, copy.Next(after, "a")->actual);
  EXPECT_EQ(spec.Next(after, "a")->actual, spec.Next(after + absl::Hours(5), "a")->actual);
  EXPECT_NE(spec.Next(after, "a")->actual, spec.Next(after, "b")->actual);
  EXPECT_EQ(spec.Next(after, "a")->nominal, Utc(2022, 3, 24, 0, 0, 0));
  // No jitter configured: actual is nominal.
  const CompiledSpec plain = MustCompile(Spec("interval { interval { seconds: 86400 } }"));
  EXPECT_EQ(plain.Next(after, "a")->actual, Utc(2022, 3, 24, 0, 0, 0));
}

TEST(SpecJitterTest, Fingerprint32KnownValues) {
  // farmhash Fingerprint32 published values, covering each length class.
  EXPECT_EQ(internal::Fingerprint32(""), 0xdc56d17au);
  EXPECT_EQ(internal::Fingerprint32("a"), 0x3c973d4du);
  EXPECT_EQ(internal::Fingerprint32("hello world"), 0x19a7581au);
}

// --- Time zones -------------------------------------------------------------------------------

std::string ReadZoneFile(const std::string& name) {
  std::ifstream in("/usr/share/zoneinfo/" + name, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

TEST(SpecTimeZoneTest, EmbeddedZoneData) {
  const std::string berlin = ReadZoneFile("Europe/Berlin");
  ASSERT_FALSE(berlin.empty());
  ScheduleSpec spec = Spec(R"(calendar { hour: "9" })");
  spec.set_timezone_data(berlin);
  EXPECT_EQ(Actual(spec, Utc(2022, 3, 26, 12, 0, 0), 2),
            (Times{Utc(2022, 3, 27, 7, 0, 0), Utc(2022, 3, 28, 7, 0, 0)}));
  spec.set_timezone_data("TZif2 nope");
  EXPECT_EQ(CompileError(spec), "Invalid schedule spec: malformed time zone information");
  spec.set_timezone_data("not zone data");
  EXPECT_EQ(CompileError(spec), "Invalid schedule spec: malformed time zone information");
}

TEST(SpecTimeZoneTest, Names) {
  EXPECT_EQ(CompileError(Spec(R"(timezone_name: "Mars/Olympus")")),
            "Invalid schedule spec: unknown time zone Mars/Olympus");
  EXPECT_EQ(CompileError(Spec(R"(timezone_name: "../etc/passwd")")),
            "Invalid schedule spec: time: invalid location name");
  EXPECT_EQ(CompileError(Spec(R"(timezone_name: "/usr/share/zoneinfo/UTC")")),
            "Invalid schedule spec: time: invalid location name");
  EXPECT_EQ(CompileError(Spec(R"(timezone_name: "Fixed/UTC+01:00:00")")),
            "Invalid schedule spec: unknown time zone Fixed/UTC+01:00:00");
  EXPECT_EQ(CompileError(Spec(R"(timezone_name: "UTC")")), "ok");
  EXPECT_EQ(CompileError(Spec(R"(timezone_name: "Asia/Tokyo")")), "ok");
}

TEST(SpecTimeZoneTest, CronZonesMustAgree) {
  const std::string conflict = "Invalid schedule spec: conflicting timezone names";
  EXPECT_EQ(CompileError(Spec(R"(cron_string: "CRON_TZ=America/New_York 23 5,7 * * *"
                                timezone_name: "Europe/London")")),
            conflict);
  EXPECT_EQ(CompileError(Spec(R"(cron_string: "CRON_TZ=Europe/London 23 5,7 * * *"
                                cron_string: "CRON_TZ=America/New_York 23 5,7 * * *")")),
            conflict);
  EXPECT_EQ(CompileError(Spec(R"(cron_string: "CRON_TZ=Europe/London 23 5,7 * * *"
                                cron_string: "23 5,7 * * *")")),
            conflict);
  EXPECT_EQ(CompileError(Spec(R"(cron_string: "23 5,7 * * *"
                                cron_string: "CRON_TZ=Europe/London 23 5,7 * * *")")),
            conflict);
  // @every takes no zone, so it disagrees with a cron string that has one.
  EXPECT_EQ(CompileError(Spec(R"(cron_string: "CRON_TZ=Europe/London 23 5,7 * * *"
                                cron_string: "@every 1h")")),
            conflict);
  ScheduleSpec with_data = Spec(R"(cron_string: "CRON_TZ=Europe/Berlin 0 2 * * *")");
  with_data.set_timezone_data(ReadZoneFile("Europe/Berlin"));
  EXPECT_EQ(CompileError(with_data), conflict);
  EXPECT_EQ(CompileError(Spec(R"(cron_string: "CRON_TZ=Europe/London 23 5,7 * * *"
                                timezone_name: "Europe/London")")),
            "ok");
}

// --- Validation -------------------------------------------------------------------------------

TEST(SpecValidationTest, Intervals) {
  EXPECT_EQ(CompileError(Spec("interval { interval { seconds: -154800 } }")),
            "Invalid schedule spec: interval is too small");
  EXPECT_EQ(CompileError(Spec("interval { interval { nanos: 500000000 } }")),
            "Invalid schedule spec: interval is too small");
  EXPECT_EQ(CompileError(Spec("interval { }")), "Invalid schedule spec: interval is too small");
  EXPECT_EQ(CompileError(Spec("interval { interval { seconds: 10800 } phase { seconds: 14400 } }")),
            "Invalid schedule spec: phase cannot be greater than Interval");
  EXPECT_EQ(CompileError(Spec("interval { interval { seconds: 10800 } phase { seconds: 10800 } }")),
            "Invalid schedule spec: phase cannot be greater than Interval");
  EXPECT_EQ(CompileError(Spec("interval { interval { seconds: 10800 } phase { seconds: -1 } }")),
            "Invalid schedule spec: phase is negative");
  EXPECT_EQ(CompileError(Spec("interval { interval { seconds: 10 nanos: -1 } }")),
            "Invalid schedule spec: interval is not a valid duration: proto: duration "
            "(seconds:10 nanos:-1) has seconds and nanos with different signs");
  EXPECT_EQ(CompileError(Spec(R"(cron_string: "@every 0s")")),
            "Invalid schedule spec: interval is too small");
}

TEST(SpecValidationTest, StructuredRanges) {
  for (const char* calendar : {
           "second { start: 100 }", "second { start: -3 }", "second { start: 30 end: 60 }",
           "second { start: 30 end: 40 step: -3 }", "minute { start: 60 }",
           "hour { start: 0 end: 24 }", "hour { start: 24 end: 26 }", "hour { start: 16 end: 12 }",
           "day_of_month { start: 0 }", "day_of_month { end: 33 }", "month { start: 0 }",
           "month { end: 13 }", "day_of_week { start: 7 }", "day_of_week { start: 6 end: 7 }",
           "year { start: 1999 }", "year { start: 2112 }"}) {
    EXPECT_NE(CompileError(Spec(absl::StrCat("structured_calendar { ", calendar, " }"))), "ok")
        << calendar;
  }
  EXPECT_EQ(CompileError(Spec("structured_calendar { hour { start: 16 end: 12 } "
                              "day_of_week { start: 7 } }")),
            "Invalid schedule spec: invalid calendar spec: Hour End is before Start or not in "
            "range [0-23], DayOfWeek Start is not in range [0-6]");
  ScheduleSpec long_comment;
  long_comment.add_structured_calendar()->set_comment(std::string(201, 'x'));
  EXPECT_EQ(CompileError(long_comment),
            "Invalid schedule spec: invalid calendar spec: comment is too long");
}

TEST(SpecValidationTest, StringCalendarErrorsAreJoined) {
  EXPECT_EQ(CompileError(Spec(R"(calendar { second: "61" hour: "1-2-3" month: "smarch" })")),
            "Invalid schedule spec: Second is not in range [0-59], Hour has too many dashes, "
            "Month is not in range [1-12]");
}

// --- Canonical form ---------------------------------------------------------------------------

void ExpectCanonical(const std::string& input, const std::string& expected) {
  absl::StatusOr<ScheduleSpec> canonical = Canonicalize(Spec(input));
  ASSERT_TRUE(canonical.ok()) << canonical.status();
  const ScheduleSpec want = Spec(expected);
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(*canonical, want))
      << canonical->ShortDebugString() << "\nwant: " << want.ShortDebugString();
}

// Hours 5 and 7 at minute 23, as DescribeSchedule shows it.
constexpr char kFiveAndSeven[] = R"(structured_calendar {
  second { start: 0 end: 0 step: 1 } minute { start: 23 end: 23 step: 1 }
  hour { start: 5 end: 5 step: 1 } hour { start: 7 end: 7 step: 1 }
  day_of_month { start: 1 end: 31 step: 1 } month { start: 1 end: 12 step: 1 }
  day_of_week { start: 0 end: 6 step: 1 } })";

TEST(SpecCanonicalizeTest, StringsBecomeStructured) {
  ExpectCanonical("", "");
  ExpectCanonical(R"(cron_string: "@every 43h")", "interval { interval { seconds: 154800 } }");
  ExpectCanonical(R"(calendar { hour: "5,7" minute: "23" })", kFiveAndSeven);
  // No zone in the cron string: the spec's own zone and other fields are kept.
  ExpectCanonical(R"(cron_string: "23 5,7 * * *" jitter { seconds: 300 }
                     start_time { seconds: 1647993600 } timezone_name: "Europe/London")",
                  absl::StrCat(kFiveAndSeven, R"( jitter { seconds: 300 }
                     start_time { seconds: 1647993600 } timezone_name: "Europe/London")"));
  ExpectCanonical(R"(cron_string: "CRON_TZ=Europe/London 23 5,7 * * *")",
                  absl::StrCat(kFiveAndSeven, R"( timezone_name: "Europe/London")"));
  // Exclusions are parsed too, and structured input only gets its ranges filled in.
  ExpectCanonical(R"(exclude_calendar { day_of_week: "sat,sun" second: "*" minute: "*" hour: "*" }
                     structured_calendar { hour { start: 9 } })",
                  R"(structured_calendar { hour { start: 9 end: 9 step: 1 } }
                     exclude_structured_calendar {
                       second { start: 0 end: 59 step: 1 } minute { start: 0 end: 59 step: 1 }
                       hour { start: 0 end: 23 step: 1 } day_of_month { start: 1 end: 31 step: 1 }
                       month { start: 1 end: 12 step: 1 }
                       day_of_week { start: 6 end: 6 step: 1 } day_of_week { start: 0 end: 0 step: 1 } })");
}

TEST(SpecCanonicalizeTest, OrderIsStructuredThenCalendarsThenCron) {
  absl::StatusOr<ScheduleSpec> canonical = Canonicalize(Spec(R"(
      cron_string: "0 3 * * *" cron_string: "@every 2h"
      calendar { hour: "2" } structured_calendar { hour { start: 1 } }
      interval { interval { seconds: 60 } })"));
  ASSERT_TRUE(canonical.ok()) << canonical.status();
  ASSERT_EQ(canonical->structured_calendar_size(), 3);
  EXPECT_EQ(canonical->structured_calendar(0).hour(0).start(), 1);
  EXPECT_EQ(canonical->structured_calendar(1).hour(0).start(), 2);
  EXPECT_EQ(canonical->structured_calendar(2).hour(0).start(), 3);
  ASSERT_EQ(canonical->interval_size(), 2);
  EXPECT_EQ(canonical->interval(1).interval().seconds(), 7200);
  EXPECT_EQ(canonical->calendar_size(), 0);
  EXPECT_EQ(canonical->cron_string_size(), 0);
}

TEST(SpecCanonicalizeTest, CanonicalFormCompilesToTheSameTimes) {
  const ScheduleSpec spec = Spec(R"(cron_string: "CRON_TZ=America/New_York 15 */3 * * mon-fri"
                                   interval { interval { seconds: 5400 } phase { seconds: 900 } })");
  absl::StatusOr<ScheduleSpec> canonical = Canonicalize(spec);
  ASSERT_TRUE(canonical.ok()) << canonical.status();
  EXPECT_EQ(Actual(spec, Utc(2022, 11, 4, 0, 0, 0), 30), Actual(*canonical, Utc(2022, 11, 4, 0, 0, 0), 30));
}

// --- Durations --------------------------------------------------------------------------------

TEST(SpecDurationTest, GoSyntaxWithDays) {
  auto parse = [](absl::string_view text) -> std::string {
    absl::StatusOr<absl::Duration> d = internal::ParseGoDuration(text);
    return d.ok() ? absl::FormatDuration(*d) : std::string(d.status().message());
  };
  EXPECT_EQ(parse("90m"), "1h30m");
  EXPECT_EQ(parse("1h30m15s"), "1h30m15s");
  EXPECT_EQ(parse("1.5h"), "1h30m");
  EXPECT_EQ(parse("2d"), "48h");
  EXPECT_EQ(parse("1.5d12h"), "48h");
  EXPECT_EQ(parse("250ms"), "250ms");
  EXPECT_EQ(parse("0"), "0");
  EXPECT_EQ(parse("-5m"), "-5m");
  EXPECT_EQ(parse(""), "time: invalid duration \"\"");
  EXPECT_EQ(parse("m"), "time: invalid duration \"m\"");
  EXPECT_EQ(parse("5w"), "time: unknown unit \"w\" in duration \"5w\"");
  EXPECT_EQ(parse("9999999999h"), "time: invalid duration \"9999999999h\"");
}

}  // namespace
}  // namespace zaman::worker::schedule

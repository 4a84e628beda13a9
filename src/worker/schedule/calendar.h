#pragma once

// Private to zaman_schedule_spec: the pieces CompiledSpec is built from.

#include <bitset>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "temporal/api/schedule/v1/message.pb.h"

namespace zaman::worker::schedule::internal {

using ::temporal::api::schedule::v1::CalendarSpec;
using ::temporal::api::schedule::v1::IntervalSpec;
using ::temporal::api::schedule::v1::StructuredCalendarSpec;

// Calendar years outside [kMinCalendarYear, kMaxCalendarYear] are refused, and no action is
// computed past kMaxCalendarYear, as in Temporal.
inline constexpr int kMinCalendarYear = 2000;
inline constexpr int kMaxCalendarYear = 2100;
inline constexpr int kMaxCommentLength = 200;

// Unix seconds of a wall-clock time in `tz`, resolving times that a DST change skips or repeats
// exactly as Go's time.Date does (Temporal's calendar arithmetic depends on it): the offset in
// effect at the wall time read as UTC, corrected once.
int64_t GoDate(const absl::TimeZone& tz, const absl::CivilSecond& civil);

// One structured calendar, matched in one time zone.
class CompiledCalendar {
 public:
  // Fails only for a range Temporal could not evaluate (a negative value in an exclusion,
  // which Temporal does not validate and would panic on).
  static absl::StatusOr<CompiledCalendar> Create(const StructuredCalendarSpec& calendar,
                                                 absl::TimeZone tz);

  bool Matches(int64_t unix_seconds) const;
  // The first matching second strictly after `after`, nullopt past kMaxCalendarYear.
  std::optional<int64_t> Next(absl::Time after) const;

 private:
  CompiledCalendar() = default;
  bool YearMatches(int64_t year) const;

  absl::TimeZone tz_;
  // Bit i set when value i matches. Weekday 0 is Sunday, months and days count from 1.
  std::bitset<64> second_, minute_, hour_, day_of_month_, month_, day_of_week_;
  // Years compare as 16-bit values (as Temporal stores them); no range list means every year.
  bool all_years_ = true;
  std::bitset<65536> years_;
};

// Temporal's parse of a string CalendarSpec: defaults second/minute/hour "0", the rest "*".
// The error is Temporal's text, without any prefix.
absl::StatusOr<StructuredCalendarSpec> ParseCalendar(const CalendarSpec& calendar);

// A parsed cron string: either a calendar or an interval (@every), and the CRON_TZ=/TZ= zone
// ("" when none, and always "" for @every).
struct ParsedCron {
  std::optional<StructuredCalendarSpec> calendar;
  std::optional<IntervalSpec> interval;
  std::string time_zone;
};
absl::StatusOr<ParsedCron> ParseCronString(absl::string_view cron);

// Go's time.ParseDuration extended with a "d" (24h) unit, as Temporal's
// timestamp.ParseDuration. Errors carry Go's text.
absl::StatusOr<absl::Duration> ParseGoDuration(absl::string_view text);

// Temporal's timezone loading: a name through the IANA database (Go's LoadLocation rules), or
// embedded TZif bytes when `data` is not empty.
absl::StatusOr<absl::TimeZone> LoadScheduleTimeZone(const std::string& name,
                                                    const std::string& data);

// farmhash's Fingerprint32, which Temporal hashes jitter with.
uint32_t Fingerprint32(absl::string_view bytes);

}  // namespace zaman::worker::schedule::internal

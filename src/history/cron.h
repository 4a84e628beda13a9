#pragma once

#include <bitset>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace zaman::history {

// A workflow's `cron_schedule`, in the syntax Temporal accepts: five fields
// (minute hour day-of-month month day-of-week) with `*`, lists, ranges,
// steps and month/day names; or a descriptor (`@hourly`, `@daily`,
// `@midnight`, `@weekly`, `@monthly`, `@yearly`, `@annually`,
// `@every <duration>`). Times are UTC unless the text starts with
// `CRON_TZ=<zone>` or `TZ=<zone>`. Immutable once parsed.
class CronSchedule {
 public:
  // InvalidArgument naming the field that is wrong.
  static absl::StatusOr<CronSchedule> Parse(absl::string_view text);

  // The first time the schedule fires strictly after `after`. For `@every`
  // schedules: `after` plus the interval, rounded down to whole seconds
  // (as Temporal's scheduler does). InfiniteFuture when the fields do not
  // match within five years (say, February 30th).
  absl::Time Next(absl::Time after) const;

 private:
  CronSchedule() = default;

  absl::Duration every_ = absl::ZeroDuration();  // non-zero: an @every schedule
  std::bitset<60> minutes_;
  std::bitset<24> hours_;
  std::bitset<32> days_of_month_;  // 1..31
  std::bitset<13> months_;         // 1..12
  std::bitset<7> days_of_week_;    // 0 = Sunday
  bool any_day_of_month_ = false;  // the field was `*` (or `?`)
  bool any_day_of_week_ = false;
  absl::TimeZone zone_ = absl::UTCTimeZone();
};

}  // namespace zaman::history

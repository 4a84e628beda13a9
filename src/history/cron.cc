#include "history/cron.h"

#include <cstdlib>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace zaman::history {
namespace {

struct FieldSpec {
  const char* name;
  int min;
  int max;
  std::vector<const char*> names;  // value min + i is names[i]
};

const FieldSpec kMinute{"minute", 0, 59, {}};
const FieldSpec kHour{"hour", 0, 23, {}};
const FieldSpec kDayOfMonth{"day-of-month", 1, 31, {}};
const FieldSpec kMonth{"month", 1, 12, {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}};
const FieldSpec kDayOfWeek{"day-of-week", 0, 6, {"sun", "mon", "tue", "wed", "thu", "fri", "sat"}};

absl::Status Invalid(const FieldSpec& field, absl::string_view part, absl::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("Invalid CronSchedule: ", field.name, " field '", part, "': ", why));
}

absl::StatusOr<int> Value(const FieldSpec& field, absl::string_view text) {
  std::string lower = absl::AsciiStrToLower(text);
  for (size_t i = 0; i < field.names.size(); ++i) {
    if (lower == field.names[i]) return field.min + static_cast<int>(i);
  }
  int value;
  if (!absl::SimpleAtoi(text, &value)) return Invalid(field, text, "not a number");
  // Day-of-week 7 is Sunday too.
  if (&field == &kDayOfWeek && value == 7) value = 0;
  if (value < field.min || value > field.max) {
    return Invalid(field, text, absl::StrCat("out of range ", field.min, "-", field.max));
  }
  return value;
}

// Sets the bits a field selects; `star` tells whether it was a plain `*`.
template <size_t N>
absl::Status ParseField(const FieldSpec& field, absl::string_view text, std::bitset<N>& bits, bool* star) {
  if (star != nullptr) *star = false;
  for (absl::string_view part : absl::StrSplit(text, ',')) {
    std::vector<absl::string_view> range_step = absl::StrSplit(part, absl::MaxSplits('/', 1));
    int step = 1;
    if (range_step.size() == 2) {
      if (!absl::SimpleAtoi(range_step[1], &step) || step <= 0) return Invalid(field, part, "bad step");
    }
    int low, high;
    if (range_step[0] == "*" || range_step[0] == "?") {
      low = field.min;
      high = field.max;
      if (star != nullptr && step == 1) *star = true;
    } else {
      std::vector<absl::string_view> bounds = absl::StrSplit(range_step[0], absl::MaxSplits('-', 1));
      absl::StatusOr<int> first = Value(field, bounds[0]);
      if (!first.ok()) return first.status();
      low = high = *first;
      if (bounds.size() == 2) {
        absl::StatusOr<int> last = Value(field, bounds[1]);
        if (!last.ok()) return last.status();
        high = *last;
      } else if (range_step.size() == 2) {
        high = field.max;  // "N/step" runs from N to the end
      }
      if (high < low) return Invalid(field, part, "range ends before it starts");
    }
    for (int v = low; v <= high; v += step) bits.set(v);
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<CronSchedule> CronSchedule::Parse(absl::string_view text) {
  CronSchedule schedule;
  text = absl::StripAsciiWhitespace(text);
  for (absl::string_view prefix : {"CRON_TZ=", "TZ="}) {
    if (absl::ConsumePrefix(&text, prefix)) {
      size_t space = text.find(' ');
      std::string zone(text.substr(0, space));
      if (!absl::LoadTimeZone(zone, &schedule.zone_)) {
        return absl::InvalidArgumentError(absl::StrCat("Invalid CronSchedule: unknown time zone '", zone, "'"));
      }
      text = space == absl::string_view::npos ? "" : absl::StripAsciiWhitespace(text.substr(space));
      break;
    }
  }
  std::string spec(text);
  if (absl::StartsWith(spec, "@")) {
    if (absl::ConsumePrefix(&text, "@every ")) {
      absl::Duration every;
      if (!absl::ParseDuration(absl::StripAsciiWhitespace(text), &every) || every < absl::Seconds(1)) {
        return absl::InvalidArgumentError(
            absl::StrCat("Invalid CronSchedule: '", spec, "' needs a duration of at least 1s"));
      }
      schedule.every_ = every;
      return schedule;
    }
    static const std::vector<std::pair<const char*, const char*>> kDescriptors = {
        {"@yearly", "0 0 1 1 *"}, {"@annually", "0 0 1 1 *"}, {"@monthly", "0 0 1 * *"},
        {"@weekly", "0 0 * * 0"}, {"@daily", "0 0 * * *"},    {"@midnight", "0 0 * * *"},
        {"@hourly", "0 * * * *"},
    };
    bool known = false;
    for (const auto& [name, fields] : kDescriptors) {
      if (spec == name) {
        spec = fields;
        known = true;
        break;
      }
    }
    if (!known) return absl::InvalidArgumentError(absl::StrCat("Invalid CronSchedule: unknown descriptor '", spec, "'"));
  }
  std::vector<std::string> fields = absl::StrSplit(spec, ' ', absl::SkipEmpty());
  if (fields.size() != 5) {
    return absl::InvalidArgumentError(
        absl::StrCat("Invalid CronSchedule: expected 5 fields (minute hour day-of-month month day-of-week), got ",
                     fields.size()));
  }
  if (absl::Status s = ParseField(kMinute, fields[0], schedule.minutes_, nullptr); !s.ok()) return s;
  if (absl::Status s = ParseField(kHour, fields[1], schedule.hours_, nullptr); !s.ok()) return s;
  if (absl::Status s = ParseField(kDayOfMonth, fields[2], schedule.days_of_month_, &schedule.any_day_of_month_);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = ParseField(kMonth, fields[3], schedule.months_, nullptr); !s.ok()) return s;
  if (absl::Status s = ParseField(kDayOfWeek, fields[4], schedule.days_of_week_, &schedule.any_day_of_week_);
      !s.ok()) {
    return s;
  }
  return schedule;
}

absl::Time CronSchedule::Next(absl::Time after) const {
  if (every_ > absl::ZeroDuration()) {
    absl::Time next = after + every_;
    return absl::FromUnixSeconds(absl::ToUnixSeconds(next));
  }
  // Walk forward a field at a time, from the first whole minute after `after`.
  absl::CivilMinute t = absl::ToCivilMinute(after, zone_) + 1;
  const absl::CivilMinute give_up = t + 5 * 366 * 24 * 60;
  auto day_matches = [&](absl::CivilDay day) {
    const bool dom = days_of_month_.test(day.day());
    const int weekday = (static_cast<int>(absl::GetWeekday(day)) + 1) % 7;  // absl: Monday = 0
    const bool dow = days_of_week_.test(weekday);
    // As in Vixie cron: when both day fields are restricted, either matches.
    if (any_day_of_month_ || any_day_of_week_) return dom && dow;
    return dom || dow;
  };
  while (t < give_up) {
    if (!months_.test(t.month())) {
      t = absl::CivilMinute(absl::CivilMonth(t) + 1);
      continue;
    }
    if (!day_matches(absl::CivilDay(t))) {
      t = absl::CivilMinute(absl::CivilDay(t) + 1);
      continue;
    }
    if (!hours_.test(t.hour())) {
      t = absl::CivilMinute(absl::CivilHour(t) + 1);
      continue;
    }
    if (!minutes_.test(t.minute())) {
      t += 1;
      continue;
    }
    return absl::FromCivil(t, zone_);
  }
  return absl::InfiniteFuture();
}

}  // namespace zaman::history

// Temporal's string calendar syntax (CalendarSpec) and cron strings, parsed into structured
// calendars the way service/worker/scheduler/calendar.go does, error texts included.

#include <array>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "worker/schedule/calendar.h"

namespace zaman::worker::schedule::internal {
namespace {

using ::temporal::api::schedule::v1::Range;
using RangeList = ::google::protobuf::RepeatedPtrField<Range>;

enum class Names { kNone, kMonth, kWeekday };

constexpr std::array<absl::string_view, 12> kMonths = {
    "january", "february", "march",     "april",   "may",      "june",
    "july",    "august",   "september", "october", "november", "december"};
constexpr std::array<absl::string_view, 7> kWeekdays = {
    "sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"};

struct Field {
  absl::string_view name;
  absl::string_view fallback;
  int min;
  int max;
  Names names;
  bool star_is_empty;  // the year: "*" is an empty range list
};

// Go's strconv.Atoi: an optional sign and decimal digits, into a 64-bit int.
absl::StatusOr<int64_t> Atoi(absl::string_view text) {
  int64_t value;
  absl::string_view digits = text;
  if (!digits.empty() && (digits[0] == '+' || digits[0] == '-')) digits.remove_prefix(1);
  const bool well_formed =
      !digits.empty() && std::all_of(digits.begin(), digits.end(), absl::ascii_isdigit);
  if (!well_formed) {
    return absl::InvalidArgumentError(
        absl::StrCat("strconv.Atoi: parsing \"", text, "\": invalid syntax"));
  }
  if (!absl::SimpleAtoi(text, &value)) {
    return absl::InvalidArgumentError(
        absl::StrCat("strconv.Atoi: parsing \"", text, "\": value out of range"));
  }
  return value;
}

// One value: a number, or (at least three letters of) a month name, or (at least two
// letters of) a weekday name. Nullopt when it is neither or lies outside [min, max].
std::optional<int64_t> ParseValue(absl::string_view text, int64_t min, int max, Names names) {
  const std::string lower = absl::AsciiStrToLower(text);
  if (names == Names::kMonth && text.size() >= 3) {
    for (size_t i = 0; i < kMonths.size(); ++i) {
      if (absl::StartsWith(kMonths[i], lower)) {
        const int64_t v = static_cast<int64_t>(i) + 1;
        return v < min || v > max ? std::nullopt : std::optional<int64_t>(v);
      }
    }
  } else if (names == Names::kWeekday && text.size() >= 2) {
    for (size_t i = 0; i < kWeekdays.size(); ++i) {
      if (absl::StartsWith(kWeekdays[i], lower)) {
        const int64_t v = static_cast<int64_t>(i);
        return v < min || v > max ? std::nullopt : std::optional<int64_t>(v);
      }
    }
  }
  absl::StatusOr<int64_t> v = Atoi(text);
  if (!v.ok() || *v < min || *v > max) return std::nullopt;
  return *v;
}

void AddRange(RangeList& out, int64_t start, int64_t end, int64_t step) {
  Range* range = out.Add();
  range->set_start(static_cast<int32_t>(start));
  // Defaults are left out, as Temporal does, to keep the stored spec small.
  range->set_end(start == end ? 0 : static_cast<int32_t>(end));
  range->set_step(step == 1 ? 0 : static_cast<int32_t>(step));
}

// A comma-separated list of "*", "x", "x-z", each optionally "/step" ("x/step" runs to max).
absl::StatusOr<RangeList> ParseField(absl::string_view text, const Field& f) {
  absl::string_view spec = absl::StripAsciiWhitespace(text);
  if (spec.empty()) spec = f.fallback;
  RangeList out;
  if (spec == "*" && f.star_is_empty) return out;
  for (absl::string_view part : absl::StrSplit(spec, ',')) {
    int64_t step = 1;
    bool has_step = false;
    const size_t slashes = std::count(part.begin(), part.end(), '/');
    if (slashes > 1) return absl::InvalidArgumentError(absl::StrCat(f.name, " has too many slashes"));
    if (slashes == 1) {
      const size_t slash = part.find('/');
      const absl::string_view step_text = part.substr(slash + 1);
      if (step_text.empty()) {
        return absl::InvalidArgumentError(absl::StrCat(f.name, " missing step value"));
      }
      absl::StatusOr<int64_t> parsed = Atoi(step_text);
      if (!parsed.ok()) return parsed.status();
      if (*parsed < 1) return absl::InvalidArgumentError(absl::StrCat(f.name, " has invalid Step"));
      step = *parsed;
      has_step = true;
      part = part.substr(0, slash);
    }
    int64_t start = f.min, end = f.max;
    if (part != "*") {
      const size_t dashes = std::count(part.begin(), part.end(), '-');
      if (dashes > 1) return absl::InvalidArgumentError(absl::StrCat(f.name, " has too many dashes"));
      if (dashes == 1) {
        const size_t dash = part.find('-');
        std::optional<int64_t> first = ParseValue(part.substr(0, dash), f.min, f.max, f.names);
        if (!first) {
          return absl::InvalidArgumentError(
              absl::StrCat(f.name, " Start is not in range [", f.min, "-", f.max, "]"));
        }
        std::optional<int64_t> last = ParseValue(part.substr(dash + 1), *first, f.max, f.names);
        if (!last) {
          return absl::InvalidArgumentError(absl::StrCat(
              f.name, " End is before Start or not in range [", f.min, "-", f.max, "]"));
        }
        start = *first;
        end = *last;
      } else {
        std::optional<int64_t> value = ParseValue(part, f.min, f.max, f.names);
        if (!value) {
          return absl::InvalidArgumentError(
              absl::StrCat(f.name, " is not in range [", f.min, "-", f.max, "]"));
        }
        start = *value;
        // "x/step" runs from x to the maximum; a bare "x" is x alone.
        if (!has_step) end = start;
      }
    }
    // Weekday 7 is another name for Sunday (0). When 7 is one of the range's values and the
    // range cannot simply be cut at 6 and still include 0, add Sunday on its own.
    if (f.names == Names::kWeekday && end == 7) {
      const bool includes_seven = (7 - start) % step == 0;
      const bool covers_sunday_already = step == 1 && start <= 1;
      if (includes_seven && !covers_sunday_already) {
        AddRange(out, 0, 0, 1);
        if (start == 7) continue;
      }
      end = 6;
    }
    AddRange(out, start, end, step);
  }
  return out;
}

constexpr Field kSecond{"Second", "0", 0, 59, Names::kNone, false};
constexpr Field kMinute{"Minute", "0", 0, 59, Names::kNone, false};
constexpr Field kHour{"Hour", "0", 0, 23, Names::kNone, false};
constexpr Field kDayOfWeek{"DayOfWeek", "*", 0, 7, Names::kWeekday, false};
constexpr Field kDayOfMonth{"DayOfMonth", "*", 1, 31, Names::kNone, false};
constexpr Field kMonth{"Month", "*", 1, 12, Names::kMonth, false};
constexpr Field kYear{"Year", "*", kMinCalendarYear, kMaxCalendarYear, Names::kNone, true};

absl::string_view ExpandDescriptor(absl::string_view cron) {
  if (cron == "@yearly" || cron == "@annually") return "0 0 1 1 *";
  if (cron == "@monthly") return "0 0 1 * *";
  if (cron == "@weekly") return "0 0 * * 0";
  if (cron == "@daily" || cron == "@midnight") return "0 0 * * *";
  if (cron == "@hourly") return "0 * * * *";
  return cron;
}

absl::StatusOr<google::protobuf::Duration> ToProto(absl::Duration d) {
  google::protobuf::Duration proto;
  const int64_t seconds = absl::IDivDuration(d, absl::Seconds(1), &d);
  proto.set_seconds(seconds);
  proto.set_nanos(static_cast<int32_t>(absl::ToInt64Nanoseconds(d)));
  return proto;
}

absl::StatusOr<IntervalSpec> ParseEvery(absl::string_view cron) {
  const size_t space = cron.find(' ');
  if (space == absl::string_view::npos) {
    return absl::InvalidArgumentError("CronString does not have interval after @every");
  }
  absl::string_view rest = cron.substr(space + 1);
  absl::string_view phase;
  if (const size_t slash = rest.find('/'); slash != absl::string_view::npos) {
    phase = rest.substr(slash + 1);
    rest = rest.substr(0, slash);
  }
  IntervalSpec interval;
  absl::StatusOr<absl::Duration> every = ParseGoDuration(rest);
  if (!every.ok()) return every.status();
  *interval.mutable_interval() = *ToProto(*every);
  if (!phase.empty()) {
    absl::StatusOr<absl::Duration> offset = ParseGoDuration(phase);
    if (!offset.ok()) return offset.status();
    *interval.mutable_phase() = *ToProto(*offset);
  }
  return interval;
}

}  // namespace

absl::StatusOr<StructuredCalendarSpec> ParseCalendar(const CalendarSpec& calendar) {
  StructuredCalendarSpec out;
  std::vector<std::string> errors;
  auto parse = [&](const std::string& text, const Field& field, RangeList* target) {
    absl::StatusOr<RangeList> ranges = ParseField(text, field);
    if (ranges.ok()) {
      *target = *std::move(ranges);
    } else {
      errors.emplace_back(ranges.status().message());
    }
  };
  parse(calendar.second(), kSecond, out.mutable_second());
  parse(calendar.minute(), kMinute, out.mutable_minute());
  parse(calendar.hour(), kHour, out.mutable_hour());
  parse(calendar.day_of_week(), kDayOfWeek, out.mutable_day_of_week());
  parse(calendar.day_of_month(), kDayOfMonth, out.mutable_day_of_month());
  parse(calendar.month(), kMonth, out.mutable_month());
  parse(calendar.year(), kYear, out.mutable_year());
  if (!errors.empty()) return absl::InvalidArgumentError(absl::StrJoin(errors, ", "));
  out.set_comment(calendar.comment());
  return out;
}

absl::StatusOr<ParsedCron> ParseCronString(absl::string_view cron) {
  ParsedCron parsed;
  cron = absl::StripAsciiWhitespace(cron);
  if (absl::StartsWith(cron, "TZ=") || absl::StartsWith(cron, "CRON_TZ=")) {
    const size_t space = cron.find(' ');
    if (space == absl::string_view::npos) {
      return absl::InvalidArgumentError("CronString has time zone but missing fields");
    }
    const absl::string_view zone = cron.substr(0, space);
    parsed.time_zone = std::string(zone.substr(zone.find('=') + 1));
    cron = cron.substr(space + 1);
  }
  absl::string_view comment;
  if (const size_t hash = cron.find('#'); hash != absl::string_view::npos) {
    comment = absl::StripAsciiWhitespace(cron.substr(hash + 1));
    cron = cron.substr(0, hash);
  }
  cron = absl::StripAsciiWhitespace(cron);

  if (absl::StartsWith(cron, "@every")) {
    absl::StatusOr<IntervalSpec> interval = ParseEvery(cron);
    if (!interval.ok()) return interval.status();
    // Temporal drops a CRON_TZ= given with @every.
    return ParsedCron{std::nullopt, *std::move(interval), ""};
  }

  const std::vector<absl::string_view> fields =
      absl::StrSplit(ExpandDescriptor(cron), absl::ByAnyChar(" \t\n\v\f\r"), absl::SkipEmpty());
  CalendarSpec calendar;
  calendar.set_comment(std::string(comment));
  auto set = [&](std::initializer_list<std::string* (CalendarSpec::*)()> targets) {
    size_t i = 0;
    for (auto target : targets) *(calendar.*target)() = std::string(fields[i++]);
  };
  switch (fields.size()) {
    case 5:
      set({&CalendarSpec::mutable_minute, &CalendarSpec::mutable_hour,
           &CalendarSpec::mutable_day_of_month, &CalendarSpec::mutable_month,
           &CalendarSpec::mutable_day_of_week});
      break;
    case 6:
      set({&CalendarSpec::mutable_minute, &CalendarSpec::mutable_hour,
           &CalendarSpec::mutable_day_of_month, &CalendarSpec::mutable_month,
           &CalendarSpec::mutable_day_of_week, &CalendarSpec::mutable_year});
      break;
    case 7:
      set({&CalendarSpec::mutable_second, &CalendarSpec::mutable_minute,
           &CalendarSpec::mutable_hour, &CalendarSpec::mutable_day_of_month,
           &CalendarSpec::mutable_month, &CalendarSpec::mutable_day_of_week,
           &CalendarSpec::mutable_year});
      break;
    default:
      return absl::InvalidArgumentError("CronString does not have 5-7 fields");
  }
  absl::StatusOr<StructuredCalendarSpec> structured = ParseCalendar(calendar);
  if (!structured.ok()) return structured.status();
  parsed.calendar = *std::move(structured);
  return parsed;
}

}  // namespace zaman::worker::schedule::internal

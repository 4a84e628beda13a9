#include "worker/schedule/spec.h"

#include <algorithm>
#include <limits>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "worker/schedule/calendar.h"

namespace zaman::worker::schedule {
namespace {

using ::temporal::api::schedule::v1::Range;
using ::temporal::api::schedule::v1::StructuredCalendarSpec;
using RangeList = ::google::protobuf::RepeatedPtrField<Range>;

constexpr absl::string_view kPrefix = "Invalid schedule spec: ";

absl::Status Invalid(absl::string_view message) {
  return absl::InvalidArgumentError(absl::StrCat(kPrefix, message));
}

// Go's Duration saturates at about 292 years; Temporal reads every proto duration through it.
absl::Duration GoDuration(const google::protobuf::Duration& d) {
  const absl::Duration value = absl::Seconds(d.seconds()) + absl::Nanoseconds(d.nanos());
  const absl::Duration max = absl::Nanoseconds(std::numeric_limits<int64_t>::max());
  const absl::Duration min = absl::Nanoseconds(std::numeric_limits<int64_t>::min());
  return std::clamp(value, min, max);
}

// The frontend's check of a proto duration (durationpb's CheckValid).
absl::Status CheckDuration(const google::protobuf::Duration& d, absl::string_view what) {
  constexpr int64_t kMaxSeconds = 315576000000;  // 10000 years
  const std::string shown = absl::StrCat("seconds:", d.seconds(), " nanos:", d.nanos());
  std::string problem;
  if (d.seconds() > kMaxSeconds) {
    problem = "exceeds +10000 years";
  } else if (d.seconds() < -kMaxSeconds) {
    problem = "exceeds -10000 years";
  } else if (d.nanos() <= -1000000000 || d.nanos() >= 1000000000) {
    problem = "has out-of-range nanos";
  } else if ((d.seconds() > 0 && d.nanos() < 0) || (d.seconds() < 0 && d.nanos() > 0)) {
    problem = "has seconds and nanos with different signs";
  }
  if (problem.empty()) return absl::OkStatus();
  return Invalid(absl::StrCat(what, " is not a valid duration: proto: duration (", shown, ") ",
                              problem));
}

void CheckRanges(const RangeList& ranges, absl::string_view field, int min, int max,
                 std::vector<std::string>& errors) {
  for (const Range& r : ranges) {
    if (r.start() < min || r.start() > max) {
      errors.push_back(absl::StrCat(field, " Start is not in range [", min, "-", max, "]"));
    }
    if (r.end() != 0 && (r.end() < r.start() || r.end() > max)) {
      errors.push_back(
          absl::StrCat(field, " End is before Start or not in range [", min, "-", max, "]"));
    }
    if (r.step() < 0) errors.push_back(absl::StrCat(field, " has invalid Step"));
  }
}

absl::Status ValidateCalendar(const StructuredCalendarSpec& c) {
  std::vector<std::string> errors;
  CheckRanges(c.second(), "Second", 0, 59, errors);
  CheckRanges(c.minute(), "Minute", 0, 59, errors);
  CheckRanges(c.hour(), "Hour", 0, 23, errors);
  CheckRanges(c.day_of_month(), "DayOfMonth", 1, 31, errors);
  CheckRanges(c.month(), "Month", 1, 12, errors);
  CheckRanges(c.year(), "Year", internal::kMinCalendarYear, internal::kMaxCalendarYear, errors);
  CheckRanges(c.day_of_week(), "DayOfWeek", 0, 6, errors);
  if (c.comment().size() > internal::kMaxCommentLength) errors.push_back("comment is too long");
  if (errors.empty()) return absl::OkStatus();
  return Invalid(absl::StrCat("invalid calendar spec: ", absl::StrJoin(errors, ", ")));
}

absl::Status ValidateInterval(const internal::IntervalSpec& interval) {
  const absl::Duration every = GoDuration(interval.interval());
  const absl::Duration phase = GoDuration(interval.phase());
  if (every < absl::Seconds(1)) return Invalid("interval is too small");
  if (phase < absl::ZeroDuration()) return Invalid("phase is negative");
  if (phase >= every) return Invalid("phase cannot be greater than Interval");
  return absl::OkStatus();
}

// Temporal's canonical form, before range cleaning; every error already carries the prefix.
absl::StatusOr<ScheduleSpec> CanonicalForm(const ScheduleSpec& input) {
  for (const internal::IntervalSpec& interval : input.interval()) {
    if (interval.has_interval()) {
      if (absl::Status s = CheckDuration(interval.interval(), "interval"); !s.ok()) return s;
    }
    if (interval.has_phase()) {
      if (absl::Status s = CheckDuration(interval.phase(), "phase"); !s.ok()) return s;
    }
  }
  ScheduleSpec spec = input;
  for (const internal::CalendarSpec& calendar : input.calendar()) {
    absl::StatusOr<StructuredCalendarSpec> parsed = internal::ParseCalendar(calendar);
    if (!parsed.ok()) return Invalid(parsed.status().message());
    *spec.add_structured_calendar() = *std::move(parsed);
  }
  spec.clear_calendar();
  // exclude_calendar is deprecated in the API, but clients still send it.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  for (const internal::CalendarSpec& calendar : input.exclude_calendar()) {
    absl::StatusOr<StructuredCalendarSpec> parsed = internal::ParseCalendar(calendar);
    if (!parsed.ok()) return Invalid(parsed.status().message());
    *spec.add_exclude_structured_calendar() = *std::move(parsed);
  }
  spec.clear_exclude_calendar();
#pragma GCC diagnostic pop

  // Every cron string must name the same zone, or all none.
  std::optional<std::string> cron_zone;
  for (const std::string& cron : input.cron_string()) {
    absl::StatusOr<internal::ParsedCron> parsed = internal::ParseCronString(cron);
    if (!parsed.ok()) return Invalid(parsed.status().message());
    if (cron_zone && *cron_zone != parsed->time_zone) return Invalid("conflicting timezone names");
    cron_zone = parsed->time_zone;
    if (parsed->calendar) *spec.add_structured_calendar() = *std::move(parsed->calendar);
    if (parsed->interval) *spec.add_interval() = *std::move(parsed->interval);
  }
  spec.clear_cron_string();
  if (cron_zone && !cron_zone->empty()) {
    if ((!spec.timezone_name().empty() && spec.timezone_name() != *cron_zone) ||
        !spec.timezone_data().empty()) {
      return Invalid("conflicting timezone names");
    }
    spec.set_timezone_name(*cron_zone);
  }

  for (const StructuredCalendarSpec& calendar : spec.structured_calendar()) {
    if (absl::Status s = ValidateCalendar(calendar); !s.ok()) return s;
  }
  for (const internal::IntervalSpec& interval : spec.interval()) {
    if (absl::Status s = ValidateInterval(interval); !s.ok()) return s;
  }
  return spec;
}

void CleanRanges(RangeList& ranges) {
  for (Range& r : ranges) {
    if (r.end() < r.start()) r.set_end(r.start());
    if (r.step() == 0) r.set_step(1);
  }
}

void CleanCalendar(StructuredCalendarSpec& c) {
  for (RangeList* ranges :
       {c.mutable_second(), c.mutable_minute(), c.mutable_hour(), c.mutable_day_of_month(),
        c.mutable_month(), c.mutable_year(), c.mutable_day_of_week()}) {
    CleanRanges(*ranges);
  }
}

absl::Time ToTime(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

// Go's Time.MarshalBinary of a UTC instant (version 1, seconds since year 1, nanoseconds,
// offset -1 meaning UTC): the bytes Temporal feeds the jitter hash before the seed.
std::string GoTimeBinary(absl::Time t) {
  constexpr int64_t kYear1ToUnix = 62135596800;
  const int64_t unix = absl::ToUnixSeconds(t);
  const uint64_t seconds = static_cast<uint64_t>(unix + kYear1ToUnix);
  const uint32_t nanos =
      static_cast<uint32_t>(absl::ToInt64Nanoseconds(t - absl::FromUnixSeconds(unix)));
  std::string out(1, '\x01');
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(seconds >> shift));
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(nanos >> shift));
  out.append("\xff\xff");
  return out;
}

}  // namespace

CompiledSpec::CompiledSpec(const CompiledSpec&) = default;
CompiledSpec& CompiledSpec::operator=(const CompiledSpec&) = default;
CompiledSpec::CompiledSpec(CompiledSpec&&) noexcept = default;
CompiledSpec& CompiledSpec::operator=(CompiledSpec&&) noexcept = default;
CompiledSpec::~CompiledSpec() = default;

absl::StatusOr<CompiledSpec> CompiledSpec::Compile(const ScheduleSpec& input,
                                                   const CompileOptions& options) {
  absl::StatusOr<ScheduleSpec> spec = CanonicalForm(input);
  if (!spec.ok()) return spec.status();
  absl::StatusOr<absl::TimeZone> tz =
      internal::LoadScheduleTimeZone(spec->timezone_name(), spec->timezone_data());
  if (!tz.ok()) {
    if (!absl::IsInvalidArgument(tz.status())) return tz.status();
    return Invalid(tz.status().message());
  }

  CompiledSpec compiled;
  compiled.options_ = options;
  for (const StructuredCalendarSpec& calendar : spec->structured_calendar()) {
    absl::StatusOr<internal::CompiledCalendar> c = internal::CompiledCalendar::Create(calendar, *tz);
    if (!c.ok()) return c.status();
    compiled.calendars_.push_back(
        std::make_shared<const internal::CompiledCalendar>(*std::move(c)));
  }
  for (const StructuredCalendarSpec& calendar : spec->exclude_structured_calendar()) {
    absl::StatusOr<internal::CompiledCalendar> c = internal::CompiledCalendar::Create(calendar, *tz);
    if (!c.ok()) return c.status();
    compiled.excludes_.push_back(std::make_shared<const internal::CompiledCalendar>(*std::move(c)));
  }
  for (const internal::IntervalSpec& interval : spec->interval()) {
    compiled.intervals_.push_back(Interval{
        std::max<int64_t>(absl::ToInt64Seconds(GoDuration(interval.interval())), 1),
        std::max<int64_t>(absl::ToInt64Seconds(GoDuration(interval.phase())), 0)});
  }
  if (spec->has_start_time()) compiled.start_time_ = ToTime(spec->start_time());
  if (spec->has_end_time()) compiled.end_time_ = ToTime(spec->end_time());
  if (spec->has_jitter()) compiled.jitter_ = GoDuration(spec->jitter());
  compiled.canonical_ = std::make_shared<const ScheduleSpec>(*std::move(spec));
  return compiled;
}

std::optional<int64_t> CompiledSpec::RawNext(absl::Time after) const {
  std::optional<int64_t> best;
  auto offer = [&](int64_t t) {
    if (!best || t < *best) best = t;
  };
  for (const auto& calendar : calendars_) {
    if (std::optional<int64_t> t = calendar->Next(after)) offer(*t);
  }
  const int64_t after_seconds = absl::ToUnixSeconds(after);
  for (const Interval& iv : intervals_) {
    // Aligned to the Unix epoch plus the phase. Division truncates toward zero, as in Go.
    offer(((after_seconds - iv.phase_seconds) / iv.interval_seconds + 1) * iv.interval_seconds +
          iv.phase_seconds);
  }
  return best;
}

bool CompiledSpec::Excluded(int64_t unix_seconds) const {
  return std::any_of(excludes_.begin(), excludes_.end(),
                     [&](const auto& c) { return c->Matches(unix_seconds); });
}

std::optional<ActionTime> CompiledSpec::Next(absl::Time after,
                                             absl::string_view jitter_seed) const {
  // Before the start time, search from just before it so that the start itself can match.
  // Without a start time Temporal uses the Unix epoch.
  after = std::max(after, start_time_.value_or(absl::UnixEpoch()) - absl::Seconds(1));
  auto past_end = [&](int64_t t) {
    const absl::Time time = absl::FromUnixSeconds(t);
    return (end_time_ && time > *end_time_) ||
           absl::ToCivilYear(time, absl::UTCTimeZone()).year() > internal::kMaxCalendarYear;
  };

  std::optional<int64_t> nominal;
  for (int64_t skipped = 0; !nominal || Excluded(*nominal); ++skipped) {
    if (skipped > options_.max_excluded_candidates) return std::nullopt;
    nominal = RawNext(after);
    if (!nominal || past_end(*nominal)) return std::nullopt;
    after = absl::FromUnixSeconds(*nominal);
  }

  const absl::Time nominal_time = absl::FromUnixSeconds(*nominal);
  // Jitter never pushes an action past the following nominal time.
  absl::Duration max_jitter = jitter_;
  if (std::optional<int64_t> following = RawNext(nominal_time)) {
    max_jitter = std::min(max_jitter, absl::Seconds(*following - *nominal));
  }
  int64_t max_ms = std::max<int64_t>(absl::ToInt64Milliseconds(max_jitter), 0);
  max_ms = std::min<int64_t>(max_ms, std::numeric_limits<uint32_t>::max());
  // 32 bits of hash scale the range, in milliseconds, so up to 49 days of jitter fit.
  const uint64_t hash =
      internal::Fingerprint32(absl::StrCat(GoTimeBinary(nominal_time), jitter_seed));
  const int64_t jitter_ms = static_cast<int64_t>((hash * static_cast<uint64_t>(max_ms)) >> 32);
  return ActionTime{nominal_time, nominal_time + absl::Milliseconds(jitter_ms)};
}

absl::StatusOr<ScheduleSpec> Canonicalize(const ScheduleSpec& spec) {
  absl::StatusOr<CompiledSpec> compiled = CompiledSpec::Compile(spec);
  if (!compiled.ok()) return compiled.status();
  ScheduleSpec out = compiled->canonical();
  for (StructuredCalendarSpec& c : *out.mutable_structured_calendar()) CleanCalendar(c);
  for (StructuredCalendarSpec& c : *out.mutable_exclude_structured_calendar()) CleanCalendar(c);
  return out;
}

}  // namespace zaman::worker::schedule

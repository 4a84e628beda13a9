#include "worker/schedule/calendar.h"

#include "absl/status/status.h"

namespace zaman::worker::schedule::internal {
namespace {

using ::temporal::api::schedule::v1::Range;
using RangeList = ::google::protobuf::RepeatedPtrField<Range>;

constexpr int64_t kHour = 3600;

// Go's time.Weekday numbering: Sunday is 0.
int GoWeekday(const absl::CivilSecond& civil) {
  return (static_cast<int>(absl::GetWeekday(absl::CivilDay(civil))) + 1) % 7;
}

bool IsLeapYear(int64_t year) { return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0); }

int DaysInMonth(int month, int64_t year) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 2 && IsLeapYear(year)) return 29;
  return kDays[month - 1];
}

// Every value a range list names, as Temporal enumerates them: step 0 means 1, an end before
// the start means the start alone. `visit` returns false once later values cannot matter.
template <typename Visit>
void ForEachValue(const RangeList& ranges, Visit visit) {
  for (const Range& range : ranges) {
    const int64_t step = range.step() == 0 ? 1 : range.step();
    const int64_t end = std::max<int64_t>(range.end(), range.start());
    for (int64_t v = range.start(); v <= end; v += step) {
      if (!visit(v)) break;
    }
  }
}

bool HasNegative(const RangeList& ranges) {
  for (const Range& range : ranges) {
    if (range.start() < 0 || range.step() < 0) return true;
  }
  return false;
}

std::bitset<64> BitsOf(const RangeList& ranges) {
  std::bitset<64> bits;
  ForEachValue(ranges, [&](int64_t v) {
    if (v >= 64) return false;  // never matches (Go's 1<<v is 0 there)
    bits.set(v);
    return true;
  });
  return bits;
}

}  // namespace

int64_t GoDate(const absl::TimeZone& tz, const absl::CivilSecond& civil) {
  const int64_t as_utc = civil - absl::CivilSecond(1970, 1, 1, 0, 0, 0);
  const int guess = tz.At(absl::FromUnixSeconds(as_utc)).offset;
  return as_utc - tz.At(absl::FromUnixSeconds(as_utc - guess)).offset;
}

absl::StatusOr<CompiledCalendar> CompiledCalendar::Create(const StructuredCalendarSpec& calendar,
                                                          absl::TimeZone tz) {
  for (const RangeList* ranges :
       {&calendar.second(), &calendar.minute(), &calendar.hour(), &calendar.day_of_month(),
        &calendar.month(), &calendar.year(), &calendar.day_of_week()}) {
    if (HasNegative(*ranges)) {
      return absl::InvalidArgumentError(
          "Invalid schedule spec: invalid calendar spec: a range has a negative value");
    }
  }
  CompiledCalendar compiled;
  compiled.tz_ = tz;
  compiled.second_ = BitsOf(calendar.second());
  compiled.minute_ = BitsOf(calendar.minute());
  compiled.hour_ = BitsOf(calendar.hour());
  compiled.day_of_month_ = BitsOf(calendar.day_of_month());
  compiled.month_ = BitsOf(calendar.month());
  compiled.day_of_week_ = BitsOf(calendar.day_of_week());
  compiled.all_years_ = calendar.year().empty();
  for (const Range& range : calendar.year()) {
    // Years are kept as 16-bit values, so after 65536 steps the residues repeat.
    int64_t count = 0;
    RangeList one;
    *one.Add() = range;
    ForEachValue(one, [&](int64_t v) {
      compiled.years_.set(static_cast<uint16_t>(v));
      return ++count < 65536;
    });
  }
  return compiled;
}

bool CompiledCalendar::YearMatches(int64_t year) const {
  if (all_years_) return true;
  if (year < INT16_MIN || year > INT16_MAX) return false;
  return years_.test(static_cast<uint16_t>(year));
}

bool CompiledCalendar::Matches(int64_t unix_seconds) const {
  const absl::CivilSecond c = tz_.At(absl::FromUnixSeconds(unix_seconds)).cs;
  return YearMatches(c.year()) && month_.test(c.month()) && day_of_month_.test(c.day()) &&
         day_of_week_.test(GoWeekday(c)) && hour_.test(c.hour()) && minute_.test(c.minute()) &&
         second_.test(c.second());
}

// Temporal's walk: advance the wall-clock fields from the outside in, one unit at a time, in
// the schedule's zone. A wall time a DST change skips is passed over; an hour a DST change
// repeats is visited twice (the second time one hour later in absolute time).
std::optional<int64_t> CompiledCalendar::Next(absl::Time after) const {
  const absl::CivilSecond start = tz_.At(after).cs;
  int64_t y = start.year();
  int mo = start.month(), d = start.day(), h = start.hour(), m = start.minute(),
      s = start.second();
  auto date = [&](int hour, int minute, int second) {
    return GoDate(tz_, absl::CivilSecond(y, mo, d, hour, minute, second));
  };
  // Already in the second pass through a repeated hour?
  int64_t dst_offset = tz_.At(after - absl::Hours(1)).cs.hour() == h ? kHour : 0;
  ++s;
  while (true) {
    if (s >= 60) ++m, s = 0;
    if (m >= 60) {
      const int64_t hour_start = date(h, 0, 0);
      ++h, m = 0;
      const int64_t next_hour_start = date(h, 0, 0);
      if (dst_offset == 0 && next_hour_start - hour_start > kHour) {
        // The hour just left is repeated: walk it again, one hour later.
        --h;
        dst_offset = kHour;
      } else {
        dst_offset = 0;
      }
    }
    if (h >= 24) ++d, h = 0;
    if (d > DaysInMonth(mo, y)) ++mo, d = 1;
    if (mo > 12) ++y, mo = 1;
    if (y > kMaxCalendarYear) return std::nullopt;

    if (!YearMatches(y)) {
      ++y, mo = 1, d = 1, h = 0, m = 0, s = 0;
      dst_offset = 0;
      continue;
    }
    bool carry = false;
    while (!month_.test(mo)) {
      ++mo, d = 1, h = 0, m = 0, s = 0;
      dst_offset = 0;
      if (mo > 12) {
        carry = true;
        break;
      }
    }
    if (carry) continue;
    while (!day_of_month_.test(d) ||
           !day_of_week_.test(GoWeekday(tz_.At(absl::FromUnixSeconds(date(h, m, s))).cs))) {
      ++d, h = 0, m = 0, s = 0;
      dst_offset = 0;
      if (d > DaysInMonth(mo, y)) {
        carry = true;
        break;
      }
    }
    if (carry) continue;
    while (!hour_.test(h)) {
      ++h, m = 0, s = 0;
      dst_offset = 0;
      if (h >= 24) {
        carry = true;
        break;
      }
    }
    if (carry) continue;
    while (!minute_.test(m)) {
      ++m, s = 0;
      if (m >= 60) {
        carry = true;
        break;
      }
    }
    if (carry) continue;
    while (!second_.test(s)) {
      ++s;
      if (s >= 60) {
        carry = true;
        break;
      }
    }
    if (carry) continue;

    const int64_t candidate = date(h, m, s);
    if (tz_.At(absl::FromUnixSeconds(candidate)).cs.hour() != h) {
      // Skipped by a DST change: this wall time does not exist.
      ++h, m = 0, s = 0;
      continue;
    }
    return candidate + dst_offset;
  }
}

}  // namespace zaman::worker::schedule::internal

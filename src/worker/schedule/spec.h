#pragma once

// A schedule's spec compiled into something that answers "when is the next action?", computed the
// way Temporal's scheduler computes it (service/worker/scheduler/spec.go and calendar.go), so a
// schedule fires at the same instants on Zaman as on Temporal, including across DST changes and
// with the same deterministic jitter.

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "temporal/api/schedule/v1/message.pb.h"

namespace zaman::worker::schedule {

using ScheduleSpec = ::temporal::api::schedule::v1::ScheduleSpec;

struct ActionTime {
  absl::Time nominal;  // the time the spec matches
  absl::Time actual;   // nominal plus jitter
};

namespace internal {
class CompiledCalendar;
}  // namespace internal

struct CompileOptions {
  // How many excluded candidates Next() skips before giving up. Temporal has no limit by
  // default (an over-excluded spec can scan to year 2100 one candidate at a time); Zaman bounds
  // the work so a hostile spec cannot pin a thread.
  int64_t max_excluded_candidates = 1'000'000;
};

// An immutable compiled spec. Copyable and movable; every method is const and safe to call from
// any thread at once.
class CompiledSpec {
 public:
  // InvalidArgument for a spec Temporal's frontend refuses, with its wording
  // ("Invalid schedule spec: ...").
  static absl::StatusOr<CompiledSpec> Compile(const ScheduleSpec& spec,
                                              const CompileOptions& options = {});

  // The first action strictly after `after` (Temporal's GetNextTime), nullopt when none is left
  // (past end_time, past year 2100, or more excluded candidates than the options allow).
  // `jitter_seed` makes jitter deterministic; Temporal uses "<namespace id>-<schedule id>".
  std::optional<ActionTime> Next(absl::Time after, absl::string_view jitter_seed) const;

  // The spec in canonical form (what Temporal stores): string calendars and cron strings turned
  // into structured calendars and intervals, ranges not yet cleaned (see Canonicalize).
  const ScheduleSpec& canonical() const { return *canonical_; }

  CompiledSpec(const CompiledSpec&);
  CompiledSpec& operator=(const CompiledSpec&);
  CompiledSpec(CompiledSpec&&) noexcept;
  CompiledSpec& operator=(CompiledSpec&&) noexcept;
  ~CompiledSpec();

 private:
  struct Interval {
    int64_t interval_seconds;
    int64_t phase_seconds;
  };

  CompiledSpec() = default;
  // The next match of any calendar or interval after `after`, in Unix seconds, ignoring
  // exclusions, start and end.
  std::optional<int64_t> RawNext(absl::Time after) const;
  bool Excluded(int64_t unix_seconds) const;

  std::shared_ptr<const ScheduleSpec> canonical_;
  std::vector<std::shared_ptr<const internal::CompiledCalendar>> calendars_;
  std::vector<std::shared_ptr<const internal::CompiledCalendar>> excludes_;
  std::vector<Interval> intervals_;
  std::optional<absl::Time> start_time_;
  std::optional<absl::Time> end_time_;
  absl::Duration jitter_ = absl::ZeroDuration();
  CompileOptions options_;
};

// The spec as Temporal's DescribeSchedule returns it: calendar strings, exclude calendar strings
// and cron strings replaced by structured calendars and intervals (a cron time zone moved to
// timezone_name), every range with its end and step filled in. Fails like Compile.
absl::StatusOr<ScheduleSpec> Canonicalize(const ScheduleSpec& spec);

}  // namespace zaman::worker::schedule

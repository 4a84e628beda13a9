// Go's duration syntax ("1h30m", "1.5s", "250ms"), plus Temporal's "d" for 24 hours.

#include <cmath>
#include <regex>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "worker/schedule/calendar.h"

namespace zaman::worker::schedule::internal {
namespace {

constexpr uint64_t kLimit = uint64_t{1} << 63;

absl::Status Invalid(absl::string_view original) {
  return absl::InvalidArgumentError(absl::StrCat("time: invalid duration \"", original, "\""));
}

std::optional<uint64_t> UnitNanos(absl::string_view unit) {
  if (unit == "ns") return 1;
  if (unit == "us" || unit == "\xc2\xb5s" || unit == "\xce\xbcs") return 1000;
  if (unit == "ms") return 1000 * 1000;
  if (unit == "s") return 1000 * 1000 * 1000;
  if (unit == "m") return uint64_t{60} * 1000 * 1000 * 1000;
  if (unit == "h") return uint64_t{3600} * 1000 * 1000 * 1000;
  return std::nullopt;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

absl::StatusOr<absl::Duration> ParseGo(absl::string_view s) {
  const absl::string_view original = s;
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") return absl::ZeroDuration();
  if (s.empty()) return Invalid(original);
  uint64_t total = 0;
  while (!s.empty()) {
    if (!(s[0] == '.' || IsDigit(s[0]))) return Invalid(original);
    uint64_t whole = 0;
    size_t i = 0;
    for (; i < s.size() && IsDigit(s[i]); ++i) {
      if (whole > kLimit / 10) return Invalid(original);
      whole = whole * 10 + (s[i] - '0');
      if (whole > kLimit) return Invalid(original);
    }
    const bool has_whole = i > 0;
    s.remove_prefix(i);
    uint64_t fraction = 0;
    double scale = 1;
    bool has_fraction = false;
    if (!s.empty() && s[0] == '.') {
      s.remove_prefix(1);
      bool overflow = false;
      size_t j = 0;
      for (; j < s.size() && IsDigit(s[j]); ++j) {
        if (overflow) continue;
        if (fraction > (kLimit - 1) / 10) {
          overflow = true;
          continue;
        }
        const uint64_t next = fraction * 10 + (s[j] - '0');
        if (next > kLimit) {
          overflow = true;
          continue;
        }
        fraction = next;
        scale *= 10;
      }
      has_fraction = j > 0;
      s.remove_prefix(j);
    }
    if (!has_whole && !has_fraction) return Invalid(original);
    size_t u = 0;
    while (u < s.size() && s[u] != '.' && !IsDigit(s[u])) ++u;
    if (u == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("time: missing unit in duration \"", original, "\""));
    }
    const absl::string_view unit_name = s.substr(0, u);
    s.remove_prefix(u);
    const std::optional<uint64_t> unit = UnitNanos(unit_name);
    if (!unit) {
      return absl::InvalidArgumentError(absl::StrCat("time: unknown unit \"", unit_name,
                                                     "\" in duration \"", original, "\""));
    }
    if (whole > kLimit / *unit) return Invalid(original);
    whole *= *unit;
    if (fraction > 0) {
      whole += static_cast<uint64_t>(static_cast<double>(fraction) *
                                     (static_cast<double>(*unit) / scale));
      if (whole > kLimit) return Invalid(original);
    }
    total += whole;
    if (total > kLimit) return Invalid(original);
  }
  if (negative) return absl::Nanoseconds(-static_cast<int64_t>(total));
  if (total > kLimit - 1) return Invalid(original);
  return absl::Nanoseconds(static_cast<int64_t>(total));
}

}  // namespace

absl::StatusOr<absl::Duration> ParseGoDuration(absl::string_view text) {
  // Temporal rewrites every "<number>d" as hours ("%fh" of 24 times it) before Go parses it.
  static const std::regex kDays(R"((\d+(\.\d*)?|(\.\d+))d)");
  std::string rewritten;
  const std::string input(text);
  auto it = std::sregex_iterator(input.begin(), input.end(), kDays);
  size_t copied = 0;
  for (; it != std::sregex_iterator(); ++it) {
    const std::smatch& match = *it;
    rewritten.append(input, copied, match.position() - copied);
    const std::string number = match.str().substr(0, match.length() - 1);
    rewritten += absl::StrFormat("%fh", 24 * std::strtod(number.c_str(), nullptr));
    copied = match.position() + match.length();
  }
  rewritten.append(input, copied);
  return ParseGo(rewritten);
}

}  // namespace zaman::worker::schedule::internal

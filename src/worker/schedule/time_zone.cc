// Time zones as Temporal loads them: Go's LoadLocation rules for a name, LoadLocationFromTZData
// for embedded TZif bytes.

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <system_error>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "worker/schedule/calendar.h"

namespace zaman::worker::schedule::internal {
namespace {

uint64_t Fnv1a64(absl::string_view bytes) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

bool ReadFile(const std::filesystem::path& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  out->assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return true;
}

// absl reads zone data only from files, so TZif bytes go to a file named by their content
// (absl caches a zone by its name for the life of the process, so one name must always mean
// one content). Written under a unique name and renamed, so concurrent writers cannot tear it.
absl::StatusOr<absl::TimeZone> LoadFromData(const std::string& data) {
  const absl::Status malformed = absl::InvalidArgumentError("malformed time zone information");
  if (!absl::StartsWith(data, "TZif")) return malformed;
  std::error_code ec;
  const std::filesystem::path dir = std::filesystem::temp_directory_path(ec) / "zaman-tzif";
  if (ec) return absl::UnavailableError("no temporary directory for time zone data");
  std::filesystem::create_directories(dir, ec);
  const std::filesystem::path path =
      dir / absl::StrFormat("%016x-%08x-%d", Fnv1a64(data), Fingerprint32(data), data.size());
  std::string existing;
  if (!ReadFile(path, &existing) || existing != data) {
    const std::filesystem::path staging =
        path.string() + absl::StrFormat(".%d.%p", getpid(), static_cast<const void*>(&data));
    {
      std::ofstream out(staging, std::ios::binary | std::ios::trunc);
      out.write(data.data(), static_cast<std::streamsize>(data.size()));
      if (!out) return absl::UnavailableError("could not write time zone data");
    }
    std::filesystem::rename(staging, path, ec);
    if (ec) return absl::UnavailableError("could not write time zone data");
  }
  absl::TimeZone tz;
  if (!absl::LoadTimeZone(path.string(), &tz)) {
    std::filesystem::remove(path, ec);
    return malformed;
  }
  return tz;
}

}  // namespace

absl::StatusOr<absl::TimeZone> LoadScheduleTimeZone(const std::string& name,
                                                    const std::string& data) {
  if (!data.empty()) return LoadFromData(data);
  // Go maps "" and "UTC" to UTC, and "Local" to the server's zone, which Temporal deployments
  // run as UTC.
  if (name.empty() || name == "UTC" || name == "Local") return absl::UTCTimeZone();
  if (absl::StrContains(name, "..") || name[0] == '/' || name[0] == '\\') {
    return absl::InvalidArgumentError("time: invalid location name");
  }
  const absl::Status unknown = absl::InvalidArgumentError(absl::StrCat("unknown time zone ", name));
  // Names absl understands but Go does not.
  if (name == "localtime" || absl::StartsWith(name, "Fixed/") || absl::StartsWith(name, "file:")) {
    return unknown;
  }
  absl::TimeZone tz;
  if (!absl::LoadTimeZone(name, &tz)) return unknown;
  return tz;
}

}  // namespace zaman::worker::schedule::internal

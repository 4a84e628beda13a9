#include "absl/strings/string_view.h"
#include "persistence/page_token.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/errors.h"

namespace zaman::persistence {
namespace {
constexpr absl::string_view kNamespaceMarker = "zaman.ns.v1:";
constexpr absl::string_view kJobMarker = "zaman.job.v1:";

absl::StatusOr<std::string> Decode(absl::string_view marker, absl::string_view token) {
  if (!absl::StartsWith(token, marker)) {
    return errors::InvalidArgument("Invalid NextPageToken.");
  }
  return std::string(token.substr(marker.size()));
}
}  // namespace

std::string EncodeNamespacePageToken(absl::string_view last_name) {
  return absl::StrCat(kNamespaceMarker, last_name);
}

absl::StatusOr<std::string> DecodeNamespacePageToken(absl::string_view token) {
  return Decode(kNamespaceMarker, token);
}

std::string EncodeJobPageToken(absl::string_view last_job_id) { return absl::StrCat(kJobMarker, last_job_id); }

absl::StatusOr<std::string> DecodeJobPageToken(absl::string_view token) {
  if (token.empty()) return std::string();
  return Decode(kJobMarker, token);
}

}  // namespace zaman::persistence

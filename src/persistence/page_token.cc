#include "absl/strings/string_view.h"
#include "persistence/page_token.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/errors.h"

namespace zaman::persistence {
namespace {
constexpr absl::string_view kNamespaceMarker = "zaman.ns.v1:";
}  // namespace

std::string EncodeNamespacePageToken(absl::string_view last_name) {
  return absl::StrCat(kNamespaceMarker, last_name);
}

absl::StatusOr<std::string> DecodeNamespacePageToken(absl::string_view token) {
  if (!absl::StartsWith(token, kNamespaceMarker)) {
    return errors::InvalidArgument("Invalid NextPageToken.");
  }
  return std::string(token.substr(kNamespaceMarker.size()));
}

}  // namespace zaman::persistence

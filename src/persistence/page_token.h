#pragma once

#include "absl/strings/string_view.h"
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace zaman::persistence {

// Page tokens for ListNamespaces: "the page after this name". Clients treat
// them as opaque bytes; a marker prefix lets a store reject foreign tokens.
std::string EncodeNamespacePageToken(absl::string_view last_name);
absl::StatusOr<std::string> DecodeNamespacePageToken(absl::string_view token);

}  // namespace zaman::persistence

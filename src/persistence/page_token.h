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

// Page tokens for ListJobs: "the page after this job id"; an empty token
// decodes to "" (the first page).
std::string EncodeJobPageToken(absl::string_view last_job_id);
absl::StatusOr<std::string> DecodeJobPageToken(absl::string_view token);

}  // namespace zaman::persistence

#pragma once

#include "absl/strings/string_view.h"
#include <string_view>

#include "absl/status/status.h"

namespace zaman {

enum class LogFormat { kText, kJson };

// Configures the process-wide spdlog logger (stderr). `level` is one of
// debug, info, warn, error. Call once, from main, before starting any role.
absl::Status InitLogging(absl::string_view level, LogFormat format);

}  // namespace zaman

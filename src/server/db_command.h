#pragma once

#include <string>

namespace zaman::server {

// `zaman db setup|migrate|version --config FILE`: the schema of the store
// the config names. Prints what it did; returns the process exit code (0, or
// 1 when the database refused, 2 for a bad config).
int RunDbCommand(const std::string& action, const std::string& config_path);

}  // namespace zaman::server

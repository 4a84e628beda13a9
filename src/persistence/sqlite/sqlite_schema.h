#pragma once

#include "absl/strings/string_view.h"
#include <string_view>
#include <vector>

namespace zaman::persistence::sqlite {

// The SQL of each schema version; element i takes a store from version i to
// version i + 1. Embedded from schema/sqlite/vN.sql at build time.
const std::vector<absl::string_view>& SchemaVersions();

}  // namespace zaman::persistence::sqlite

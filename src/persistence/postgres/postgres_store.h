#pragma once

// Internal to the persistence module: the PostgreSQL driver (libpq). The
// stores themselves are the shared SQL ones (persistence/sql/).

#include <vector>

#include "absl/strings/string_view.h"
#include "persistence/sql/sql_stores.h"
#include "persistence/store.h"

namespace zaman::persistence::postgres {

// Connections per `config` (TLS verify-full when a CA is given), the
// dialect and the schema of schema/postgres/.
sql::Driver NewDriver(const SqlConfig& config);

// Embedded from schema/postgres/vN.sql at build time.
const std::vector<absl::string_view>& SchemaVersions();

}  // namespace zaman::persistence::postgres

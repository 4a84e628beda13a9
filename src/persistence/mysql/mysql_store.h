#pragma once

// Internal to the persistence module: the MySQL and MariaDB driver (MariaDB Connector/C). The
// stores themselves are the shared SQL ones (persistence/sql/).

#include <vector>

#include "absl/strings/string_view.h"
#include "persistence/sql/sql_stores.h"
#include "persistence/store.h"

namespace zaman::persistence::mysql {

// Connections per `config` (TLS with the server certificate verified when a CA is given), the
// dialect and the schema of schema/mysql/.
sql::Driver NewDriver(const SqlConfig& config);

// Embedded from schema/mysql/vN.sql at build time.
const std::vector<absl::string_view>& SchemaVersions();

}  // namespace zaman::persistence::mysql

#pragma once

// Internal to the SQL backends: the few places where PostgreSQL and
// MySQL/MariaDB spell the same thing differently. Everything else the
// stores say in SQL both understand.

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace zaman::persistence::sql {

enum class Dialect { kPostgres, kMysql };

inline absl::string_view DialectName(Dialect d) { return d == Dialect::kPostgres ? "postgres" : "mysql"; }

inline const char* BeginTransaction(Dialect d) {
  return d == Dialect::kPostgres ? "BEGIN" : "START TRANSACTION";
}

// Appended to a SELECT: other transactions may read the rows but not change
// them until this one ends (the shard fence).
inline const char* ShareLock(Dialect d) {
  return d == Dialect::kPostgres ? " FOR SHARE" : " LOCK IN SHARE MODE";
}

// `INSERT` that skips a row whose key exists.
inline std::string InsertIgnore(Dialect d, absl::string_view rest) {
  return d == Dialect::kPostgres ? absl::StrCat("INSERT INTO ", rest, " ON CONFLICT DO NOTHING")
                                 : absl::StrCat("INSERT IGNORE INTO ", rest);
}

// Whether `text` contains `phrase`, ignoring case; `?` is the phrase.
inline const char* ContainsIgnoringCase(Dialect d) {
  return d == Dialect::kPostgres ? "strpos(lower(s.string_value), lower(?)) > 0"
                                 : "LOCATE(LOWER(?), LOWER(s.string_value)) > 0";
}

}  // namespace zaman::persistence::sql

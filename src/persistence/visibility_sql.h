#pragma once

// Internal to the SQL-speaking backends (sqlite, postgres, mysql): a parsed
// list filter turned into a WHERE clause over the `visibility v` table and
// its `visibility_search_attributes s` value rows, and the keyset paging
// over the query's order. Values are only ever bound, never spliced in.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "visibility/query.h"

namespace zaman::persistence {

// SQL text with `?` placeholders and the values they take, in order.
struct SqlText {
  std::string text;
  std::vector<visibility::IndexValue> params;
};

// What differs between the backends' visibility tables.
struct VisibilityFlavor {
  // The value column of `s` holding a custom attribute of this type.
  std::string (*value_column)(visibility::IndexedValueType type);
  // Condition true when `s`'s text value contains the phrase bound to its
  // one `?`, ignoring case.
  const char* text_contains;
  // Prefix match as `column LIKE ?` (true) or as a range (false: SQLite,
  // where a range walks the index and LIKE would not).
  bool prefix_with_like;
};

// `v.namespace_id = ? AND (filter)`.
SqlText VisibilityWhere(absl::string_view namespace_id, const visibility::Query& query,
                        const VisibilityFlavor& flavor);

struct SortKey {
  std::string column;  // qualified: "v.start_time"
  bool descending;
};

// The query's order, ties broken by run id in the last key's direction (so
// one index walk yields the whole order).
std::vector<SortKey> VisibilitySortKeys(const visibility::Query& query);

// One page of List: `SELECT v.info, <the sort keys' columns> FROM
// visibility v WHERE <filter> [AND <after the token's row>] ORDER BY <keys>
// LIMIT ?`, asking one row more than `page_size` (which tells whether
// another page follows). InvalidArgument for a token this query did not make.
absl::StatusOr<SqlText> VisibilityPageQuery(absl::string_view namespace_id, const visibility::Query& query,
                                            absl::string_view query_text, int page_size,
                                            absl::string_view page_token, const std::vector<SortKey>& keys,
                                            const VisibilityFlavor& flavor);

}  // namespace zaman::persistence

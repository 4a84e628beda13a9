#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "visibility/search_attributes.h"

// Temporal's list-filter language ("WorkflowType = 'Order' AND
// ExecutionStatus = 'Failed' AND StartTime > '2026-01-01T00:00:00Z'"),
// parsed into a typed tree a store turns into its own query. Values are
// converted to the attribute's index type here, so no query text ever
// reaches a store.
namespace zaman::visibility {

// What a comparison names: a system column or a custom (or predefined)
// attribute.
struct Attribute {
  std::string name;
  IndexedValueType type;
  const SystemAttribute* system = nullptr;  // null: custom
};

enum class Op {
  kEq, kNe, kLt, kLe, kGt, kGe,
  kIn, kNotIn,
  kBetween, kNotBetween,
  kStartsWith, kNotStartsWith,
  kIsNull, kIsNotNull,
};

struct Expr {
  enum class Kind { kAnd, kOr, kNot, kCompare };
  Kind kind = Kind::kCompare;
  std::vector<std::unique_ptr<Expr>> children;  // And/Or: two or more; Not: one
  // Compare:
  Attribute attribute;
  Op op = Op::kEq;
  std::vector<IndexValue> values;  // In: any number; Between: two; IsNull: none
};

struct OrderKey {
  Attribute attribute;  // a system attribute
  bool descending = false;
};

struct Query {
  std::unique_ptr<Expr> where;  // null: every run
  std::vector<OrderKey> order_by;  // empty: the default order
  std::vector<Attribute> group_by;  // Count only; ExecutionStatus
};

// Parses `text` with the namespace's custom attributes. InvalidArgument,
// naming the problem and where it is, for anything malformed.
absl::StatusOr<Query> ParseQuery(absl::string_view text, const SearchAttributeTypes& custom);

// The attribute that sets the rows of the server's own jobs apart
// (schedules: TemporalNamespaceDivision = 'TemporalScheduler').
inline constexpr absl::string_view kNamespaceDivision = "TemporalNamespaceDivision";

// As on Temporal, a query that does not name TemporalNamespaceDivision sees
// only users' runs: this adds "AND TemporalNamespaceDivision IS NULL" to it.
void LeaveOutDivisionsUnlessNamed(Query& query);

// The name of a status as filters write it ("Running", "Completed", …).
absl::string_view StatusName(int status);

}  // namespace zaman::visibility

#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "temporal/api/common/v1/message.pb.h"
#include "temporal/api/enums/v1/common.pb.h"

// Search attributes: the typed, indexed values filters run on. System ones
// are columns of every run; custom ones are defined per namespace and sent
// by clients as JSON payloads.
namespace zaman::visibility {

using temporal::api::enums::v1::IndexedValueType;

// Custom search attributes of one namespace, by name.
using SearchAttributeTypes = std::map<std::string, IndexedValueType>;

// A value as the index holds it: Int, Datetime (Unix nanoseconds) and Bool
// (0/1) are integers, Double is a double, Keyword and Text are strings.
using IndexValue = std::variant<int64_t, double, std::string>;

// The built-in attribute a filter may name, and the column it reads.
struct SystemAttribute {
  const char* name;
  IndexedValueType type;
  const char* column;
  bool nullable;  // set only for closed runs (CloseTime, ExecutionDuration)
};

// Nullptr when `name` is not a system attribute.
const SystemAttribute* FindSystemAttribute(absl::string_view name);
const std::vector<SystemAttribute>& SystemAttributes();

// Attributes Temporal itself sets (change versions, build ids, schedules):
// stored like custom ones, but defined in every namespace.
const SearchAttributeTypes& PredefinedAttributes();

// "Keyword", "Int", …: the names Temporal uses in payload metadata and the CLI.
absl::string_view TypeName(IndexedValueType type);
std::optional<IndexedValueType> TypeFromName(absl::string_view name);

// Whether a custom attribute may be named `name` (not a system or
// predefined one, letters/digits/underscores).
absl::Status ValidateCustomName(absl::string_view name);

// The values a client's payload holds for an attribute of `type`
// (KeywordList: any number; others: one, or none for JSON null).
absl::StatusOr<std::vector<IndexValue>> DecodeValues(const temporal::api::common::v1::Payload& payload,
                                                     IndexedValueType type);

// Checks every attribute against the namespace's definitions and stamps its
// type into the payload metadata (as Temporal does), so the index and
// clients read it without the definitions. InvalidArgument names the
// offending attribute.
absl::Status ValidateAndStamp(temporal::api::common::v1::SearchAttributes& attributes,
                              const SearchAttributeTypes& custom);

// What the index keeps of stamped attributes (ValidateAndStamp): each one's
// name, type and values. Attributes without a readable stamp or value are
// not indexed.
struct IndexedAttribute {
  std::string name;
  IndexedValueType type;
  std::vector<IndexValue> values;
};
std::vector<IndexedAttribute> IndexedAttributes(const temporal::api::common::v1::SearchAttributes& attributes);

// A JSON payload for a value (count groups, tests).
temporal::api::common::v1::Payload JsonPayload(absl::string_view json);

}  // namespace zaman::visibility

#include "visibility/search_attributes.h"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/errors.h"

namespace zaman::visibility {
namespace {

namespace enums = ::temporal::api::enums::v1;
using temporal::api::common::v1::Payload;

constexpr absl::string_view kTypeKey = "type";
constexpr absl::string_view kEncodingKey = "encoding";

}  // namespace

const std::vector<SystemAttribute>& SystemAttributes() {
  static const auto* attributes = new std::vector<SystemAttribute>{
      {"WorkflowId", enums::INDEXED_VALUE_TYPE_KEYWORD, "workflow_id", false},
      {"RunId", enums::INDEXED_VALUE_TYPE_KEYWORD, "run_id", false},
      {"WorkflowType", enums::INDEXED_VALUE_TYPE_KEYWORD, "workflow_type", false},
      {"TaskQueue", enums::INDEXED_VALUE_TYPE_KEYWORD, "task_queue", false},
      {"ExecutionStatus", enums::INDEXED_VALUE_TYPE_KEYWORD, "status", false},
      {"StartTime", enums::INDEXED_VALUE_TYPE_DATETIME, "start_time", false},
      {"ExecutionTime", enums::INDEXED_VALUE_TYPE_DATETIME, "execution_time", false},
      {"CloseTime", enums::INDEXED_VALUE_TYPE_DATETIME, "close_time", true},
      {"ExecutionDuration", enums::INDEXED_VALUE_TYPE_INT, "execution_duration", true},
      {"HistoryLength", enums::INDEXED_VALUE_TYPE_INT, "history_length", false},
      {"HistorySizeBytes", enums::INDEXED_VALUE_TYPE_INT, "history_size_bytes", false},
      {"ParentWorkflowId", enums::INDEXED_VALUE_TYPE_KEYWORD, "parent_workflow_id", true},
      {"ParentRunId", enums::INDEXED_VALUE_TYPE_KEYWORD, "parent_run_id", true},
      {"RootWorkflowId", enums::INDEXED_VALUE_TYPE_KEYWORD, "root_workflow_id", true},
      {"RootRunId", enums::INDEXED_VALUE_TYPE_KEYWORD, "root_run_id", true},
  };
  return *attributes;
}

const SystemAttribute* FindSystemAttribute(absl::string_view name) {
  for (const SystemAttribute& a : SystemAttributes()) {
    if (name == a.name) return &a;
  }
  return nullptr;
}

const SearchAttributeTypes& PredefinedAttributes() {
  static const auto* predefined = new SearchAttributeTypes{
      {"TemporalChangeVersion", enums::INDEXED_VALUE_TYPE_KEYWORD_LIST},
      {"BinaryChecksums", enums::INDEXED_VALUE_TYPE_KEYWORD_LIST},
      {"BuildIds", enums::INDEXED_VALUE_TYPE_KEYWORD_LIST},
      {"BatcherUser", enums::INDEXED_VALUE_TYPE_KEYWORD},
      {"TemporalScheduledStartTime", enums::INDEXED_VALUE_TYPE_DATETIME},
      {"TemporalScheduledById", enums::INDEXED_VALUE_TYPE_KEYWORD},
      {"TemporalSchedulePaused", enums::INDEXED_VALUE_TYPE_BOOL},
      {"TemporalNamespaceDivision", enums::INDEXED_VALUE_TYPE_KEYWORD},
      {"TemporalWorkerDeployment", enums::INDEXED_VALUE_TYPE_KEYWORD},
      {"TemporalWorkerDeploymentVersion", enums::INDEXED_VALUE_TYPE_KEYWORD},
      {"TemporalWorkflowVersioningBehavior", enums::INDEXED_VALUE_TYPE_KEYWORD},
  };
  return *predefined;
}

absl::string_view TypeName(IndexedValueType type) {
  switch (type) {
    case enums::INDEXED_VALUE_TYPE_TEXT: return "Text";
    case enums::INDEXED_VALUE_TYPE_KEYWORD: return "Keyword";
    case enums::INDEXED_VALUE_TYPE_INT: return "Int";
    case enums::INDEXED_VALUE_TYPE_DOUBLE: return "Double";
    case enums::INDEXED_VALUE_TYPE_BOOL: return "Bool";
    case enums::INDEXED_VALUE_TYPE_DATETIME: return "Datetime";
    case enums::INDEXED_VALUE_TYPE_KEYWORD_LIST: return "KeywordList";
    default: return "Unspecified";
  }
}

std::optional<IndexedValueType> TypeFromName(absl::string_view name) {
  for (IndexedValueType t : {enums::INDEXED_VALUE_TYPE_TEXT, enums::INDEXED_VALUE_TYPE_KEYWORD,
                             enums::INDEXED_VALUE_TYPE_INT, enums::INDEXED_VALUE_TYPE_DOUBLE,
                             enums::INDEXED_VALUE_TYPE_BOOL, enums::INDEXED_VALUE_TYPE_DATETIME,
                             enums::INDEXED_VALUE_TYPE_KEYWORD_LIST}) {
    if (absl::EqualsIgnoreCase(name, TypeName(t))) return t;
  }
  return std::nullopt;
}

absl::Status ValidateCustomName(absl::string_view name) {
  if (name.empty()) return errors::InvalidArgument("Search attribute name is empty.");
  if (FindSystemAttribute(name) != nullptr || PredefinedAttributes().count(std::string(name)) > 0) {
    return errors::InvalidArgument(absl::StrCat("Search attribute ", name, " is reserved by system."));
  }
  for (char c : name) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_') {
      return errors::InvalidArgument(
          absl::StrCat("Search attribute name ", name, " may contain only letters, digits and underscores."));
    }
  }
  if (name.size() > 255) return errors::InvalidArgument("Search attribute name is longer than 255 characters.");
  return absl::OkStatus();
}

namespace {

absl::StatusOr<IndexValue> FromJson(const google::protobuf::Value& json, IndexedValueType type) {
  using google::protobuf::Value;
  auto mismatch = [&] {
    return errors::InvalidArgument(absl::StrCat("value is not a valid ", TypeName(type)));
  };
  switch (type) {
    case enums::INDEXED_VALUE_TYPE_TEXT:
    case enums::INDEXED_VALUE_TYPE_KEYWORD:
    case enums::INDEXED_VALUE_TYPE_KEYWORD_LIST:
      if (json.kind_case() != Value::kStringValue) return mismatch();
      return IndexValue(json.string_value());
    case enums::INDEXED_VALUE_TYPE_INT: {
      int64_t i = 0;
      if (json.kind_case() == Value::kNumberValue) {
        double d = json.number_value();
        if (d != static_cast<double>(static_cast<int64_t>(d))) return mismatch();
        return IndexValue(static_cast<int64_t>(d));
      }
      if (json.kind_case() == Value::kStringValue && absl::SimpleAtoi(json.string_value(), &i)) return IndexValue(i);
      return mismatch();
    }
    case enums::INDEXED_VALUE_TYPE_DOUBLE: {
      double d = 0;
      if (json.kind_case() == Value::kNumberValue) return IndexValue(json.number_value());
      if (json.kind_case() == Value::kStringValue && absl::SimpleAtod(json.string_value(), &d)) return IndexValue(d);
      return mismatch();
    }
    case enums::INDEXED_VALUE_TYPE_BOOL:
      if (json.kind_case() != Value::kBoolValue) return mismatch();
      return IndexValue(int64_t{json.bool_value() ? 1 : 0});
    case enums::INDEXED_VALUE_TYPE_DATETIME: {
      absl::Time t;
      std::string error;
      if (json.kind_case() != Value::kStringValue || !absl::ParseTime(absl::RFC3339_full, json.string_value(), &t, &error)) {
        return mismatch();
      }
      return IndexValue(absl::ToUnixNanos(t));
    }
    default:
      return errors::InvalidArgument("unknown search attribute type");
  }
}

// Ints beyond 2^53 lose precision through a JSON double: read the text.
std::optional<int64_t> ExactInt(absl::string_view text) {
  int64_t i = 0;
  if (absl::SimpleAtoi(absl::StripAsciiWhitespace(text), &i)) return i;
  return std::nullopt;
}

}  // namespace

absl::StatusOr<std::vector<IndexValue>> DecodeValues(const Payload& payload, IndexedValueType type) {
  auto encoding = payload.metadata().find(std::string(kEncodingKey));
  if (encoding != payload.metadata().end() && encoding->second == "binary/null") return std::vector<IndexValue>{};
  if (encoding != payload.metadata().end() && encoding->second != "json/plain") {
    return errors::InvalidArgument(absl::StrCat("search attribute values must be json/plain, not ", encoding->second));
  }
  if (type == enums::INDEXED_VALUE_TYPE_INT) {
    if (std::optional<int64_t> i = ExactInt(payload.data())) return std::vector<IndexValue>{*i};
  }
  google::protobuf::Value json;
  if (!google::protobuf::util::JsonStringToMessage(payload.data(), &json).ok()) {
    return errors::InvalidArgument("search attribute value is not JSON");
  }
  std::vector<IndexValue> values;
  if (json.kind_case() == google::protobuf::Value::kNullValue) return values;
  if (json.kind_case() == google::protobuf::Value::kListValue) {
    // A list is how KeywordList values come; SDKs also send one-element
    // lists for other types.
    for (const auto& item : json.list_value().values()) {
      absl::StatusOr<IndexValue> v = FromJson(item, type);
      if (!v.ok()) return v.status();
      values.push_back(*std::move(v));
    }
    if (type != enums::INDEXED_VALUE_TYPE_KEYWORD_LIST && values.size() > 1) {
      return errors::InvalidArgument(absl::StrCat("a ", TypeName(type), " holds one value, not a list"));
    }
    return values;
  }
  absl::StatusOr<IndexValue> v = FromJson(json, type);
  if (!v.ok()) return v.status();
  values.push_back(*std::move(v));
  return values;
}

absl::Status ValidateAndStamp(temporal::api::common::v1::SearchAttributes& attributes,
                              const SearchAttributeTypes& custom) {
  for (auto& [name, payload] : *attributes.mutable_indexed_fields()) {
    std::optional<IndexedValueType> type;
    if (auto it = custom.find(name); it != custom.end()) {
      type = it->second;
    } else if (auto p = PredefinedAttributes().find(name); p != PredefinedAttributes().end()) {
      type = p->second;
    }
    if (!type) {
      return errors::InvalidArgument(absl::StrCat("Namespace has no mapping defined for search attribute ", name, "."));
    }
    absl::StatusOr<std::vector<IndexValue>> values = DecodeValues(payload, *type);
    if (!values.ok()) {
      return errors::InvalidArgument(absl::StrCat("Invalid value for search attribute ", name, " of type ",
                                                  TypeName(*type), ": ", values.status().message()));
    }
    (*payload.mutable_metadata())[std::string(kTypeKey)] = std::string(TypeName(*type));
  }
  return absl::OkStatus();
}

std::vector<IndexedAttribute> IndexedAttributes(const temporal::api::common::v1::SearchAttributes& attributes) {
  std::vector<IndexedAttribute> indexed;
  for (const auto& [name, payload] : attributes.indexed_fields()) {
    auto type_name = payload.metadata().find(std::string(kTypeKey));
    if (type_name == payload.metadata().end()) continue;  // unstamped
    std::optional<IndexedValueType> type = TypeFromName(type_name->second);
    if (!type) continue;
    absl::StatusOr<std::vector<IndexValue>> values = DecodeValues(payload, *type);
    if (!values.ok()) continue;
    indexed.push_back({name, *type, *std::move(values)});
  }
  return indexed;
}

Payload JsonPayload(absl::string_view json) {
  Payload payload;
  (*payload.mutable_metadata())[std::string(kEncodingKey)] = "json/plain";
  payload.set_data(std::string(json));
  return payload;
}

}  // namespace zaman::visibility

#include "http/request_binding.h"


#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "http/json_codec.h"
#include "http/request_json.h"

namespace zaman::http {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;

// The JSON value a text parameter stands for in `field`. Numbers stay
// strings (protojson reads quoted numbers); well-known message types
// (Timestamp, Duration, FieldMask) are strings in JSON too.
absl::StatusOr<Json> ParameterValue(const FieldDescriptor* field, const std::string& text) {
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_BOOL:
      if (text == "true" || text == "1" || text.empty()) return Json(true);
      if (text == "false" || text == "0") return Json(false);
      return absl::InvalidArgumentError(absl::StrCat(field->name(), ": not a boolean: ", text));
    case FieldDescriptor::CPPTYPE_ENUM: {
      int number = 0;
      if (absl::SimpleAtoi(text, &number)) return Json(number);
      return Json(text);
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
      if (IsWellKnownType(field->message_type())) return Json(text);
      return absl::InvalidArgumentError(absl::StrCat(field->name(), " is a message; it cannot be a parameter"));
    default:
      return Json(text);
  }
}

// Sets the field at dotted `path` of a `type` JSON object to `text`.
// NotFound when the path names no field.
absl::Status SetField(const Descriptor* type, Json& json, absl::string_view path, const std::string& text) {
  std::vector<std::string> names = absl::StrSplit(path, '.');
  Json* node = &json;
  for (size_t i = 0; i < names.size(); ++i) {
    const FieldDescriptor* field = FieldForJsonKey(type, names[i]);
    if (field == nullptr) return absl::NotFoundError(absl::StrCat("no field ", path));
    if (!node->is_object()) *node = Json::object();
    Json& slot = (*node)[field->json_name()];
    if (i + 1 < names.size()) {
      if (field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE || field->is_repeated()) {
        return absl::InvalidArgumentError(absl::StrCat(path, ": ", names[i], " is not a message field"));
      }
      type = field->message_type();
      node = &slot;
      continue;
    }
    if (field->is_map()) return absl::InvalidArgumentError(absl::StrCat(path, " is a map; it cannot be a parameter"));
    absl::StatusOr<Json> value = ParameterValue(field, text);
    if (!value.ok()) return value.status();
    if (field->is_repeated()) {
      if (!slot.is_array()) slot = Json::array();
      slot.push_back(*std::move(value));
    } else {
      slot = *std::move(value);
    }
  }
  return absl::OkStatus();
}

// Deeper than protobuf's own JSON limit is refused before anything walks it
// recursively (a 4 MB body could nest 400,000 levels).
constexpr int kMaxDepth = 100;

}  // namespace

absl::Status DecodeRequest(const RouteMatch& match, absl::string_view body,
                           const std::multimap<std::string, std::string>& query, bool payload_shorthand,
                           google::protobuf::Message* request) {
  const Descriptor* type = request->GetDescriptor();
  Json json = Json::object();
  if (match.route->body_is_request && !absl::StripAsciiWhitespace(body).empty()) {
    json = Json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (json.is_discarded()) return absl::InvalidArgumentError("the request body is not valid JSON");
    if (!json.is_object()) return absl::InvalidArgumentError("the request body must be a JSON object");
    if (NestsDeeperThan(json, kMaxDepth)) {
      return absl::InvalidArgumentError(absl::StrCat("the request body nests deeper than ", kMaxDepth, " levels"));
    }
    NormalizeRequestJson(type, payload_shorthand, json);
  }
  if (!match.route->body_is_request) {
    for (const auto& [name, value] : query) {
      if (match.path_values.count(name) > 0) continue;
      absl::Status set = SetField(type, json, name, value);
      if (absl::IsNotFound(set)) continue;
      if (!set.ok()) return set;
    }
    NormalizeRequestJson(type, payload_shorthand, json);
  }
  for (const auto& [path, value] : match.path_values) {
    if (absl::Status set = SetField(type, json, path, value); !set.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("path parameter ", path, ": ", set.message()));
    }
  }
  return JsonToMessage(json, request);
}

}  // namespace zaman::http

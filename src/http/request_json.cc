#include "http/request_json.h"

#include <cctype>
#include <string>

#include "http/payload_shorthand.h"

namespace zaman::http {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;

const std::string kPayload = "temporal.api.common.v1.Payload";
const std::string kPayloads = "temporal.api.common.v1.Payloads";

// "AllowDuplicate" → "ALLOW_DUPLICATE".
std::string ScreamingSnake(const std::string& pascal) {
  std::string out;
  for (size_t i = 0; i < pascal.size(); ++i) {
    unsigned char c = pascal[i];
    if (std::isupper(c) && i > 0) out.push_back('_');
    out.push_back(static_cast<char>(std::toupper(c)));
  }
  return out;
}

// The enum's full value name for a short one: values are TYPE_NAME_VALUE,
// TYPE_NAME being the enum's name in SCREAMING_SNAKE case.
void NormalizeEnum(const google::protobuf::EnumDescriptor* type, Json& value) {
  if (!value.is_string()) return;
  const std::string name = value.get<std::string>();
  if (name.empty() || type->FindValueByName(name) != nullptr) return;
  const std::string full = ScreamingSnake(type->name()) + "_" + ScreamingSnake(name);
  if (type->FindValueByName(full) != nullptr) value = full;
}

void NormalizeMessage(const Descriptor* type, bool shorthand, Json& json);

void NormalizeValue(const FieldDescriptor* field, bool shorthand, Json& value) {
  if (field->type() == FieldDescriptor::TYPE_ENUM) {
    NormalizeEnum(field->enum_type(), value);
    return;
  }
  if (field->type() != FieldDescriptor::TYPE_MESSAGE) return;
  const Descriptor* type = field->message_type();
  if (shorthand && type->full_name() == kPayload) {
    value = FullPayloadJson(value);
  } else if (shorthand && type->full_name() == kPayloads && value.is_array()) {
    Json payloads = Json::array();
    for (const Json& item : value) payloads.push_back(FullPayloadJson(item));
    value = Json::object({{"payloads", std::move(payloads)}});
  } else {
    NormalizeMessage(type, shorthand, value);
  }
}

void NormalizeMessage(const Descriptor* type, bool shorthand, Json& json) {
  if (!json.is_object() || IsWellKnownType(type)) return;
  for (auto& [key, value] : json.items()) {
    const FieldDescriptor* field = FieldForJsonKey(type, key);
    if (field == nullptr) continue;
    if (field->is_map()) {
      if (!value.is_object()) continue;
      const FieldDescriptor* value_field = field->message_type()->map_value();
      for (auto& [map_key, entry] : value.items()) NormalizeValue(value_field, shorthand, entry);
    } else if (field->is_repeated()) {
      if (!value.is_array()) continue;
      for (Json& item : value) NormalizeValue(field, shorthand, item);
    } else {
      NormalizeValue(field, shorthand, value);
    }
  }
}

}  // namespace

void NormalizeRequestJson(const Descriptor* type, bool payload_shorthand, Json& json) {
  NormalizeMessage(type, payload_shorthand, json);
}

}  // namespace zaman::http

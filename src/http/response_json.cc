#include "http/response_json.h"

#include <string>
#include <vector>

#include "http/payload_shorthand.h"

namespace zaman::http {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;
using temporal::api::common::v1::Payload;
using temporal::api::common::v1::Payloads;

// `message` as the generated type T (it may be a dynamic message of T's type).
template <typename T>
const T& As(const Message& message, T& storage) {
  if (const T* typed = dynamic_cast<const T*>(&message)) return *typed;
  storage.ParsePartialFromString(message.SerializePartialAsString());
  return storage;
}

// The JSON key protojson gives a map entry's key.
std::string MapKey(const Message& entry, const FieldDescriptor* key_field) {
  const Reflection* reflection = entry.GetReflection();
  switch (key_field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING: return reflection->GetString(entry, key_field);
    case FieldDescriptor::CPPTYPE_BOOL: return reflection->GetBool(entry, key_field) ? "true" : "false";
    case FieldDescriptor::CPPTYPE_INT32: return std::to_string(reflection->GetInt32(entry, key_field));
    case FieldDescriptor::CPPTYPE_INT64: return std::to_string(reflection->GetInt64(entry, key_field));
    case FieldDescriptor::CPPTYPE_UINT32: return std::to_string(reflection->GetUInt32(entry, key_field));
    case FieldDescriptor::CPPTYPE_UINT64: return std::to_string(reflection->GetUInt64(entry, key_field));
    default: return "";
  }
}

void ShortenMessage(const Message& message, Json& json);

void ShortenValue(const Message& message, Json& json) {
  const std::string& type = message.GetDescriptor()->full_name();
  if (type == Payload::descriptor()->full_name()) {
    Payload storage;
    if (std::optional<Json> shorthand = PayloadShorthand(As(message, storage))) json = *std::move(shorthand);
    return;
  }
  if (type == Payloads::descriptor()->full_name()) {
    Payloads storage;
    const Payloads& payloads = As(message, storage);
    Json values = Json::array();
    for (const Payload& payload : payloads.payloads()) {
      std::optional<Json> shorthand = PayloadShorthand(payload);
      if (!shorthand) break;
      values.push_back(*std::move(shorthand));
    }
    if (values.size() == static_cast<size_t>(payloads.payloads_size())) {
      json = std::move(values);
      return;
    }
  }
  ShortenMessage(message, json);
}

void ShortenMessage(const Message& message, Json& json) {
  if (!json.is_object() || IsWellKnownType(message.GetDescriptor())) return;
  const Reflection* reflection = message.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  reflection->ListFields(message, &fields);
  for (const FieldDescriptor* field : fields) {
    if (field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) continue;
    auto node = json.find(field->json_name());
    if (node == json.end()) continue;
    if (field->is_map()) {
      const FieldDescriptor* key_field = field->message_type()->map_key();
      const FieldDescriptor* value_field = field->message_type()->map_value();
      if (value_field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE || !node->is_object()) continue;
      for (int i = 0; i < reflection->FieldSize(message, field); ++i) {
        const Message& entry = reflection->GetRepeatedMessage(message, field, i);
        auto value = node->find(MapKey(entry, key_field));
        if (value == node->end()) continue;
        ShortenValue(entry.GetReflection()->GetMessage(entry, value_field), *value);
      }
    } else if (field->is_repeated()) {
      if (!node->is_array() || node->size() != static_cast<size_t>(reflection->FieldSize(message, field))) continue;
      for (int i = 0; i < reflection->FieldSize(message, field); ++i) {
        ShortenValue(reflection->GetRepeatedMessage(message, field, i), (*node)[i]);
      }
    } else {
      ShortenValue(reflection->GetMessage(message, field), *node);
    }
  }
}

}  // namespace

void ShortenPayloads(const Message& message, Json& json) { ShortenMessage(message, json); }

}  // namespace zaman::http

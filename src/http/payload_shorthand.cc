#include "http/payload_shorthand.h"

#include <string>

#include "absl/strings/escaping.h"

namespace zaman::http {
namespace {

constexpr char kEncoding[] = "encoding";
constexpr char kMessageType[] = "messageType";
constexpr char kProtoMessageTypeKey[] = "_protoMessageType";

std::string Metadata(const temporal::api::common::v1::Payload& payload, const char* key) {
  auto it = payload.metadata().find(key);
  return it == payload.metadata().end() ? std::string() : it->second;
}

// A JSON object that decodes as a payload with metadata and either data or a
// binary/null encoding; anything else is shorthand.
bool IsFullPayload(const Json& value) {
  if (!value.is_object()) return false;
  auto metadata = value.find("metadata");
  if (metadata == value.end() || !metadata->is_object() || metadata->empty()) return false;
  std::string encoding;
  for (const auto& [key, entry] : metadata->items()) {
    std::string decoded;
    if (!entry.is_string() || !absl::Base64Unescape(entry.get<std::string>(), &decoded)) return false;
    if (key == kEncoding) encoding = decoded;
  }
  bool has_data = false;
  for (const auto& [key, entry] : value.items()) {
    if (key == "metadata") continue;
    if (key != "data" || !entry.is_string()) return false;
    std::string decoded;
    if (!absl::Base64Unescape(entry.get<std::string>(), &decoded)) return false;
    has_data = !decoded.empty();
  }
  return has_data || encoding == "binary/null";
}

Json PayloadJson(const std::string& encoding, const std::string* message_type, const std::string& data) {
  Json metadata = Json::object();
  metadata[kEncoding] = absl::Base64Escape(encoding);
  if (message_type != nullptr) metadata[kMessageType] = absl::Base64Escape(*message_type);
  Json payload = Json::object();
  payload["metadata"] = std::move(metadata);
  if (!data.empty()) payload["data"] = absl::Base64Escape(data);
  return payload;
}

}  // namespace

std::optional<Json> PayloadShorthand(const temporal::api::common::v1::Payload& payload) {
  const std::string encoding = Metadata(payload, kEncoding);
  if (encoding == "binary/null") return Json(nullptr);
  bool json_plain = encoding == "json/plain" && payload.metadata_size() == 1;
  bool json_proto = encoding == "json/protobuf" && payload.metadata_size() == 2 &&
                    !Metadata(payload, kMessageType).empty();
  if (!json_plain && !json_proto) return std::nullopt;
  Json value = Json::parse(payload.data(), nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded() || NestsDeeperThan(value, 100)) return std::nullopt;
  if (json_proto) {
    if (!value.is_object()) return std::nullopt;
    value[kProtoMessageTypeKey] = Metadata(payload, kMessageType);
  }
  return value;
}

Json FullPayloadJson(const Json& value) {
  if (IsFullPayload(value)) return value;
  if (value.is_null()) return PayloadJson("binary/null", nullptr, "");
  if (value.is_object()) {
    auto type = value.find(kProtoMessageTypeKey);
    if (type != value.end() && type->is_string() && !type->get<std::string>().empty()) {
      std::string message_type = type->get<std::string>();
      Json rest = value;
      rest.erase(kProtoMessageTypeKey);
      return PayloadJson("json/protobuf", &message_type, Dump(rest));
    }
  }
  return PayloadJson("json/plain", nullptr, Dump(value));
}

}  // namespace zaman::http

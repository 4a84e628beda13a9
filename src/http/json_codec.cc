#include "http/json_codec.h"

#include <google/protobuf/util/json_util.h>

#include "absl/strings/str_cat.h"
#include "http/response_json.h"

namespace zaman::http {

absl::StatusOr<std::string> MessageToJson(const google::protobuf::Message& message, const JsonStyle& style) {
  std::string protojson;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = false;
  auto printed = google::protobuf::util::MessageToJsonString(message, &protojson, options);
  if (!printed.ok()) {
    return absl::InternalError(absl::StrCat("cannot write the reply as JSON: ", printed.ToString()));
  }
  Json json = Json::parse(protojson, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || NestsDeeperThan(json, 200)) return absl::InternalError("cannot write the reply as JSON");
  if (style.payload_shorthand) ShortenPayloads(message, json);
  return Dump(json, style.pretty ? 2 : -1);
}

absl::Status JsonToMessage(const Json& json, google::protobuf::Message* message) {
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  auto parsed = google::protobuf::util::JsonStringToMessage(Dump(json), message, options);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("invalid ", message->GetDescriptor()->name(), " JSON: ",
                                                   std::string(parsed.message().data(), parsed.message().size())));
  }
  return absl::OkStatus();
}

}  // namespace zaman::http

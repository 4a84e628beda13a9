#pragma once

#include <string>

#include <google/protobuf/message.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "http/json.h"

namespace zaman::http {

// How Temporal's HTTP API writes and reads JSON: protojson (lowerCamel
// names, enums by name, 64-bit integers as strings), payload shorthand unless
// turned off, two-space indentation when pretty.
struct JsonStyle {
  bool payload_shorthand = true;
  bool pretty = false;
};

absl::StatusOr<std::string> MessageToJson(const google::protobuf::Message& message, const JsonStyle& style);

// Reads `json` (already normalised, see request_json.h) into `message`;
// unknown fields and wrongly typed values are InvalidArgument.
absl::Status JsonToMessage(const Json& json, google::protobuf::Message* message);

}  // namespace zaman::http

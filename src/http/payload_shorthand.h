#pragma once

#include <optional>

#include "http/json.h"
#include "temporal/api/common/v1/message.pb.h"

namespace zaman::http {

// Temporal's payload shorthand for JSON (go.temporal.io/api's temporalproto):
// a payload a person can read is written as its value rather than as
// {"metadata": {...}, "data": "<base64>"}.
//   encoding binary/null                     → null
//   encoding json/plain, no other metadata   → the JSON value itself
//   encoding json/protobuf + messageType     → the object, with the type in
//                                              "_protoMessageType"
// Any other payload (or one whose data is not valid JSON) has no shorthand.
std::optional<Json> PayloadShorthand(const temporal::api::common::v1::Payload& payload);

// The protojson form of the payload `value` stands for: kept as it is when it
// already is a full payload (metadata and data, or binary/null), otherwise
// read as shorthand.
Json FullPayloadJson(const Json& value);

}  // namespace zaman::http

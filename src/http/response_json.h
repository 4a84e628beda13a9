#pragma once

#include <google/protobuf/message.h>

#include "http/json.h"

namespace zaman::http {

// Replaces, in `json` (the protojson form of `message`), every payload that
// has a shorthand with it (payload_shorthand.h), and every Payloads whose
// payloads all have one with a JSON array of them.
void ShortenPayloads(const google::protobuf::Message& message, Json& json);

}  // namespace zaman::http

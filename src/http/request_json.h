#pragma once

#include <google/protobuf/descriptor.h>

#include "http/json.h"

namespace zaman::http {

// Rewrites a request's JSON (to be read as a `type`) into plain protojson,
// accepting what Temporal's HTTP API accepts beyond it:
//   - with `payload_shorthand`, payloads written as values (see
//     payload_shorthand.h), and Payloads written as a JSON array of them;
//   - enum values in Temporal's short form ("AllowDuplicate" for
//     WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE).
// Keys it does not know are left for the protojson parser to reject.
void NormalizeRequestJson(const google::protobuf::Descriptor* type, bool payload_shorthand, Json& json);

}  // namespace zaman::http

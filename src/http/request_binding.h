#pragma once

#include <map>
#include <string>

#include <google/protobuf/message.h>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "http/route_table.h"

namespace zaman::http {

// Fills `request` (of the matched route's input type) from an HTTP call as
// grpc-gateway does: the JSON body when the route's `body` is "*" (an empty
// body is an empty message), then the path variables; for routes without a
// body, the query parameters too (by JSON or proto name, dotted for nested
// fields, repeated keys for repeated fields; names that are no field, such
// as `pretty`, are ignored). Bad input is InvalidArgument.
absl::Status DecodeRequest(const RouteMatch& match, absl::string_view body,
                           const std::multimap<std::string, std::string>& query, bool payload_shorthand,
                           google::protobuf::Message* request);

}  // namespace zaman::http

#pragma once

#include <map>
#include <string>
#include <vector>

#include <google/protobuf/descriptor.h>

#include "absl/strings/string_view.h"

namespace zaman::http {

// One HTTP binding of an RPC, taken from its `google.api.http` option.
struct Route {
  std::string verb;  // "GET", "POST", "PUT", "DELETE", "PATCH"
  // The path template split at '/': a literal segment, or a field path
  // ("execution.workflow_id") when `variable` is set.
  struct Segment {
    std::string text;
    bool variable = false;
  };
  std::vector<Segment> segments;
  std::string pattern;                               // as written, for messages
  const google::protobuf::MethodDescriptor* method;  // the RPC it calls
  bool body_is_request = false;                      // body: "*"
};

// A matched route and the values its path variables took, percent-decoded,
// keyed by field path.
struct RouteMatch {
  const Route* route = nullptr;
  std::map<std::string, std::string> path_values;
};

// The HTTP routes of gRPC services, read from the `google.api.http`
// annotations compiled into their descriptors (primary bindings and
// additional_bindings alike). Immutable after construction; thread-safe.
class RouteTable {
 public:
  explicit RouteTable(const std::vector<const google::protobuf::ServiceDescriptor*>& services);

  // The route for `verb` and a raw (still percent-encoded) `path` without
  // its query string. Where several templates match, the one with a literal
  // segment at the first place they differ wins ("/workflows/x/signal"
  // before "/workflows/{id}/..."). `path_known` is set when some route has the
  // path under another verb (a 405 rather than a 404).
  RouteMatch Match(absl::string_view verb, absl::string_view path, bool* path_known = nullptr) const;

  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

// WorkflowService and OperatorService, the services Temporal's HTTP API serves.
std::vector<const google::protobuf::ServiceDescriptor*> TemporalPublicServices();

// "%2F" → "/"; false on a malformed escape.
bool PercentDecode(absl::string_view in, std::string* out);

}  // namespace zaman::http

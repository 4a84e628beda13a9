#include "http/route_table.h"

#include "absl/strings/str_split.h"
#include "google/api/annotations.pb.h"
#include "google/api/http.pb.h"
#include "temporal/api/operatorservice/v1/service.pb.h"
#include "temporal/api/workflowservice/v1/service.pb.h"

namespace zaman::http {
namespace {

std::vector<Route::Segment> ParseTemplate(absl::string_view pattern) {
  std::vector<Route::Segment> segments;
  for (absl::string_view part : absl::StrSplit(pattern, '/', absl::SkipEmpty())) {
    Route::Segment segment;
    if (part.size() > 2 && part.front() == '{' && part.back() == '}') {
      part = part.substr(1, part.size() - 2);
      // "{name=pattern}" binds more than a segment; no Temporal route has one.
      segment.text = std::string(part.substr(0, part.find('=')));
      segment.variable = true;
    } else {
      segment.text = std::string(part);
    }
    segments.push_back(std::move(segment));
  }
  return segments;
}

void AddRule(const google::api::HttpRule& rule, const google::protobuf::MethodDescriptor* method,
             std::vector<Route>& routes) {
  std::pair<const char*, const std::string*> verbs[] = {
      {"GET", &rule.get()}, {"POST", &rule.post()}, {"PUT", &rule.put()},
      {"DELETE", &rule.delete_()}, {"PATCH", &rule.patch()}};
  for (const auto& [verb, pattern] : verbs) {
    if (pattern->empty()) continue;
    routes.push_back(Route{verb, ParseTemplate(*pattern), *pattern, method, rule.body() == "*"});
  }
  for (const google::api::HttpRule& additional : rule.additional_bindings()) AddRule(additional, method, routes);
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// True when `a` should win over `b`: a literal where b has a variable at the
// first position they differ.
bool MoreSpecific(const Route& a, const Route& b) {
  for (size_t i = 0; i < a.segments.size() && i < b.segments.size(); ++i) {
    if (a.segments[i].variable != b.segments[i].variable) return !a.segments[i].variable;
  }
  return false;
}

}  // namespace

bool PercentDecode(absl::string_view in, std::string* out) {
  out->clear();
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out->push_back(in[i]);
      continue;
    }
    int hi = i + 1 < in.size() ? HexValue(in[i + 1]) : -1;
    int lo = i + 2 < in.size() ? HexValue(in[i + 2]) : -1;
    if (hi < 0 || lo < 0) return false;
    out->push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return true;
}

// Naming the descriptor tables makes the linker keep the files that register
// the services in the generated pool.
std::vector<const google::protobuf::ServiceDescriptor*> TemporalPublicServices() {
  // volatile: the compiler may not drop the references, so the linker keeps the files.
  static const void* volatile tables[] = {&descriptor_table_temporal_2fapi_2fworkflowservice_2fv1_2fservice_2eproto,
                                          &descriptor_table_temporal_2fapi_2foperatorservice_2fv1_2fservice_2eproto};
  (void)tables[0];
  std::vector<const google::protobuf::ServiceDescriptor*> services;
  for (const char* name : {"temporal.api.workflowservice.v1.WorkflowService",
                           "temporal.api.operatorservice.v1.OperatorService"}) {
    if (auto* service = google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(name)) {
      services.push_back(service);
    }
  }
  return services;
}

RouteTable::RouteTable(const std::vector<const google::protobuf::ServiceDescriptor*>& services) {
  for (const google::protobuf::ServiceDescriptor* service : services) {
    for (int i = 0; i < service->method_count(); ++i) {
      const google::protobuf::MethodDescriptor* method = service->method(i);
      if (method->client_streaming() || method->server_streaming()) continue;
      if (!method->options().HasExtension(google::api::http)) continue;
      AddRule(method->options().GetExtension(google::api::http), method, routes_);
    }
  }
}

RouteMatch RouteTable::Match(absl::string_view verb, absl::string_view path, bool* path_known) const {
  if (path_known != nullptr) *path_known = false;
  std::vector<absl::string_view> parts = absl::StrSplit(path, '/', absl::SkipEmpty());
  RouteMatch best;
  for (const Route& route : routes_) {
    if (route.segments.size() != parts.size()) continue;
    RouteMatch candidate{&route, {}};
    bool matches = true;
    for (size_t i = 0; i < parts.size() && matches; ++i) {
      const Route::Segment& segment = route.segments[i];
      if (!segment.variable) {
        matches = parts[i] == segment.text;
        continue;
      }
      std::string value;
      matches = PercentDecode(parts[i], &value) && !value.empty();
      candidate.path_values[segment.text] = std::move(value);
    }
    if (!matches) continue;
    if (path_known != nullptr) *path_known = true;
    if (route.verb != verb) continue;
    if (best.route == nullptr || MoreSpecific(route, *best.route)) best = std::move(candidate);
  }
  return best;
}

}  // namespace zaman::http

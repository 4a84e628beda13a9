#pragma once

#include <string>
#include <utility>
#include <vector>

#include <google/protobuf/descriptor.h>
#include <nlohmann/json.hpp>

namespace zaman::http {

// A JSON document that keeps its keys in the order they were written, so
// that replies list fields in the protojson order.
using Json = nlohmann::ordered_json;

// Serialises without ever throwing: invalid UTF-8 becomes U+FFFD.
// `indent` < 0: compact.
inline std::string Dump(const Json& json, int indent = -1) {
  return json.dump(indent, ' ', false, Json::error_handler_t::replace);
}

// Whether `root` nests more than `limit` levels; iterative, so that a
// hostile document cannot exhaust the stack (Dump and the walkers recurse).
inline bool NestsDeeperThan(const Json& root, int limit) {
  std::vector<std::pair<const Json*, int>> pending{{&root, 1}};
  while (!pending.empty()) {
    auto [node, depth] = pending.back();
    pending.pop_back();
    if (depth > limit) return true;
    if (node->is_structured()) {
      for (const Json& child : *node) pending.emplace_back(&child, depth + 1);
    }
  }
  return false;
}

// google.protobuf.* types (Timestamp, Duration, Any, Struct…) have their own
// JSON forms; the walkers over Temporal messages leave them alone.
inline bool IsWellKnownType(const google::protobuf::Descriptor* type) {
  return type->file()->package() == "google.protobuf";
}

// The field of `type` that a JSON key names: its JSON (lowerCamel) name or
// its proto name, as protojson accepts both.
inline const google::protobuf::FieldDescriptor* FieldForJsonKey(const google::protobuf::Descriptor* type,
                                                               const std::string& key) {
  if (const google::protobuf::FieldDescriptor* field = type->FindFieldByName(key)) return field;
  for (int i = 0; i < type->field_count(); ++i) {
    if (type->field(i)->json_name() == key) return type->field(i);
  }
  return nullptr;
}

}  // namespace zaman::http

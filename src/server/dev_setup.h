#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "visibility/search_attributes.h"

// What `zaman server start-dev` takes over from the reference dev server's
// flags, so that test setups written for it run unchanged.
namespace zaman::server {

struct DevSearchAttribute {
  std::string name;
  visibility::IndexedValueType type;
};

// `--search-attribute NAME=TYPE` values (TYPE as Temporal names it:
// Keyword, Text, Int, Double, Bool, Datetime, KeywordList).
absl::StatusOr<std::vector<DevSearchAttribute>> ParseDevSearchAttributes(const std::vector<std::string>& flags);

// `--dynamic-config-value KEY=VALUE`: logs, for each, whether Zaman
// already behaves so or ignores it (Zaman has no dynamic config). Call
// after logging is set up.
absl::Status ReportDynamicConfig(const std::vector<std::string>& flags);

// Once the frontend on `port` answers, adds `attributes` to each of
// `namespaces` through its own OperatorService, as the reference dev server
// does; failures are logged. Runs on a thread of its own.
void RegisterDevSearchAttributesWhenUp(std::string ip, int port, std::vector<std::string> namespaces,
                                       std::vector<DevSearchAttribute> attributes);

}  // namespace zaman::server

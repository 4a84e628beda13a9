#include "server/dev_setup.h"

#include <chrono>
#include <set>
#include <thread>

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <spdlog/spdlog.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "temporal/api/operatorservice/v1/service.grpc.pb.h"

namespace zaman::server {
namespace {

// Keys whose value Zaman's fixed behaviour already is (the reference dev
// server's defaults and the SDK test suites' settings).
const std::set<std::string>& BuiltInTrue() {
  static const auto* keys = new std::set<std::string>{
      "frontend.enableExecuteMultiOperation",
      "frontend.enableUpdateWorkflowExecution",
      "frontend.enableUpdateWorkflowExecutionAsyncAccepted",
      "frontend.activityAPIsEnabled",
      "system.enableActivityEagerExecution",
      "system.forceSearchAttributesCacheRefreshOnRead",
  };
  return *keys;
}

absl::StatusOr<std::pair<std::string, std::string>> SplitFlag(const std::string& flag, const char* what) {
  std::pair<std::string, std::string> kv = absl::StrSplit(flag, absl::MaxSplits('=', 1));
  if (kv.first.empty() || flag.find('=') == std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat(what, " ", flag, ": expected KEY=VALUE"));
  }
  return kv;
}

}  // namespace

absl::StatusOr<std::vector<DevSearchAttribute>> ParseDevSearchAttributes(const std::vector<std::string>& flags) {
  std::vector<DevSearchAttribute> attributes;
  for (const std::string& flag : flags) {
    absl::StatusOr<std::pair<std::string, std::string>> kv = SplitFlag(flag, "--search-attribute");
    if (!kv.ok()) return kv.status();
    std::optional<visibility::IndexedValueType> type = visibility::TypeFromName(kv->second);
    if (!type) return absl::InvalidArgumentError(absl::StrCat("--search-attribute ", flag, ": unknown type"));
    attributes.push_back({kv->first, *type});
  }
  return attributes;
}

absl::Status ReportDynamicConfig(const std::vector<std::string>& flags) {
  for (const std::string& flag : flags) {
    absl::StatusOr<std::pair<std::string, std::string>> kv = SplitFlag(flag, "--dynamic-config-value");
    if (!kv.ok()) return kv.status();
    if (BuiltInTrue().contains(kv->first) && kv->second == "true") {
      spdlog::info("dynamic config {}={}: Zaman always behaves so", kv->first, kv->second);
    } else {
      spdlog::warn("dynamic config {}={} is not supported by Zaman; ignored", kv->first, kv->second);
    }
  }
  return absl::OkStatus();
}

void RegisterDevSearchAttributesWhenUp(std::string ip, int port, std::vector<std::string> namespaces,
                                       std::vector<DevSearchAttribute> attributes) {
  if (attributes.empty()) return;
  if (ip.empty() || ip == "0.0.0.0" || ip == "::") ip = "127.0.0.1";
  const std::string target = ip.find(':') != std::string::npos ? absl::StrCat("[", ip, "]:", port)
                                                                 : absl::StrCat(ip, ":", port);
  std::thread([target, namespaces = std::move(namespaces), attributes = std::move(attributes)] {
    auto channel = grpc::CreateChannel(target, grpc::InsecureChannelCredentials());
    if (!channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(30))) {
      spdlog::warn("search attributes not registered: the frontend at {} did not answer", target);
      return;
    }
    auto stub = temporal::api::operatorservice::v1::OperatorService::NewStub(channel);
    for (const std::string& ns : namespaces) {
      temporal::api::operatorservice::v1::AddSearchAttributesRequest request;
      request.set_namespace_(ns);
      for (const DevSearchAttribute& a : attributes) (*request.mutable_search_attributes())[a.name] = a.type;
      temporal::api::operatorservice::v1::AddSearchAttributesResponse response;
      grpc::ClientContext context;
      context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
      grpc::Status status = stub->AddSearchAttributes(&context, request, &response);
      if (!status.ok()) {
        spdlog::warn("search attributes not registered in namespace {}: {}", ns, status.error_message());
      }
    }
  }).detach();
}

}  // namespace zaman::server

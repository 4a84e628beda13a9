#include "http/endpoints.h"

#include "absl/strings/match.h"
#include "http/route_table.h"
#include "http/ui_assets.h"
#include "http/ui_settings.h"

namespace zaman::http {

absl::StatusOr<std::unique_ptr<HttpServer>> StartWebUi(const WebUiOptions& options,
                                                       std::shared_ptr<grpc::Channel> frontend) {
  absl::StatusOr<UiAssets> assets =
      UiAssets::Open(options.assets_dir.empty() ? DefaultUiAssetsDir() : options.assets_dir);
  if (!assets.ok()) return assets.status();
  GatewayOptions api;
  api.fixed_style = JsonStyle{/*payload_shorthand=*/false, /*pretty=*/true};
  api.client_name = "temporal-ui";
  api.client_version = UiVersion();
  auto gateway = std::make_shared<Gateway>(std::move(frontend), api);
  const std::string settings = UiSettingsJson(options.default_namespace);
  return HttpServer::Start(options.listen, [gateway, settings, assets = *std::move(assets)](const HttpCall& call) {
    std::string path;
    if (!PercentDecode(call.target.substr(0, call.target.find('?')), &path)) {
      return HttpReply{400, "text/plain; charset=utf-8", "malformed URL\n", {}};
    }
    if (path == "/api/v1/settings") return HttpReply{200, "application/json", settings, {}};
    if (absl::StartsWith(path, "/api/")) return gateway->Handle(call);
    if (call.verb != "GET" && call.verb != "HEAD") {
      return HttpReply{405, "text/plain; charset=utf-8", "method not allowed\n", {}};
    }
    return assets.Serve(path);
  });
}

}  // namespace zaman::http

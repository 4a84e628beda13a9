#include <spdlog/spdlog.h>

#include "common/version.h"
#include "server/server.h"

namespace zaman::server {

absl::Status Server::StartHttp() {
  const frontend::FrontendOptions& fe = config_.frontend;
  http::ListenOptions listen{fe.ip, fe.http_port, fe.tls.cert_file, fe.tls.key_file, fe.tls.client_ca_file};
  if (fe.http_port >= 0) {
    absl::StatusOr<std::unique_ptr<http::HttpServer>> api =
        http::StartHttpApi(listen, kVersion, frontend_->InProcessChannel());
    if (!api.ok()) return absl::Status(api.status().code(), absl::StrCat("HTTP API: ", api.status().message()));
    http_api_ = *std::move(api);
    spdlog::info("HTTP API on {}:{}", fe.ip, http_api_->port());
  }
  if (config_.ui.port >= 0) {
    http::WebUiOptions ui;
    ui.listen = http::ListenOptions{config_.ui.ip, config_.ui.port, fe.tls.cert_file, fe.tls.key_file, ""};
    ui.assets_dir = config_.ui.assets_dir;
    ui.default_namespace = config_.ui.default_namespace;
    ui.server_version = kVersion;
    absl::StatusOr<std::unique_ptr<http::HttpServer>> web = http::StartWebUi(ui, frontend_->InProcessChannel());
    if (!web.ok()) return absl::Status(web.status().code(), absl::StrCat("web UI: ", web.status().message()));
    web_ui_ = *std::move(web);
    spdlog::info("web UI at http{}://{}:{}", fe.tls.enabled() ? "s" : "", config_.ui.ip, web_ui_->port());
  }
  return absl::OkStatus();
}

}  // namespace zaman::server

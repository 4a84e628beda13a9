#pragma once

#include <memory>
#include <string>

#include <grpcpp/channel.h>

#include "absl/status/statusor.h"
#include "http/http_server.h"
#include "http/ui_settings.h"

namespace zaman::http {

struct WebUiOptions {
  ListenOptions listen;
  // The built app; empty: where this build unpacked it (cmake/fetch_ui_assets.sh).
  std::string assets_dir;
  std::string default_namespace = "default";
  std::string server_version;
};

// The Temporal Web UI, served as Temporal's UI server does: the app's files
// (index.html for every path the app routes itself), GET /api/v1/settings,
// and the /api/v1/... API routes with full payloads (no shorthand), which
// the app calls.
absl::StatusOr<std::unique_ptr<HttpServer>> StartWebUi(const WebUiOptions& options,
                                                       std::shared_ptr<grpc::Channel> frontend);

// Temporal's HTTP API on its own port (frontend.http_port).
absl::StatusOr<std::unique_ptr<HttpServer>> StartHttpApi(const ListenOptions& listen, const std::string& server_version,
                                                         std::shared_ptr<grpc::Channel> frontend);

}  // namespace zaman::http

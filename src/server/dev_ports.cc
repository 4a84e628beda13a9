#include "server/dev_ports.h"

#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>

#include <spdlog/spdlog.h>

#include "http/endpoints.h"

namespace zaman::server {
namespace {

bool PortFree(const std::string& ip, int port) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  if (getaddrinfo(ip.c_str(), std::to_string(port).c_str(), &hints, &found) != 0) return false;
  bool free = false;
  for (addrinfo* a = found; a != nullptr && !free; a = a->ai_next) {
    int sock = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
    if (sock < 0) continue;
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    free = bind(sock, a->ai_addr, a->ai_addrlen) == 0;
    close(sock);
  }
  freeaddrinfo(found);
  return free;
}

// The flag's port, or --port + offset when it is free.
int Choose(const ServerConfig& dev, int flag, int offset, const char* what, const char* flag_name,
           const std::string& ip) {
  if (flag >= 0) return flag;
  if (dev.frontend.port == 0) return 0;
  int port = std::min(dev.frontend.port + offset, 65535);
  if (PortFree(ip, port)) return port;
  spdlog::warn("{} is off: its default port {} (--port + {}) is in use; choose one with {}", what, port, offset,
               flag_name);
  return -1;
}

}  // namespace

void ChooseDevHttpPorts(ServerConfig& dev, int http_port_flag, int ui_port_flag, bool headless, bool ui_ip_given) {
  if (!ui_ip_given) dev.ui.ip = dev.frontend.ip;
  dev.frontend.http_port = Choose(dev, http_port_flag, 10, "the HTTP API", "--http-port", dev.frontend.ip);
  if (headless) {
    dev.ui.port = -1;
    return;
  }
  if (ui_port_flag < 0 && dev.ui.assets_dir.empty()) {
    std::error_code error;
    if (!std::filesystem::exists(std::filesystem::path(http::DefaultUiAssetsDir()) / "index.html", error)) {
      spdlog::warn("the web UI is off: its app is not at {} (rebuild, or pass --ui-asset-path)",
                   http::DefaultUiAssetsDir());
      dev.ui.port = -1;
      return;
    }
  }
  dev.ui.port = Choose(dev, ui_port_flag, 1000, "the web UI", "--ui-port", dev.ui.ip);
}

}  // namespace zaman::server

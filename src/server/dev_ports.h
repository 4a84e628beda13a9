#pragma once

#include "server/config.h"

namespace zaman::server {

// start-dev's HTTP API and web UI ports: the flags when given (-1: not
// given), else --port + 10 and --port + 1000 as the reference dev server
// has them (7243, 8233). A default port that is taken, or a UI whose app is
// not where this build put it, is turned off with a warning rather than
// failing the start; a port given by flag is used or the start fails.
void ChooseDevHttpPorts(ServerConfig& dev, int http_port_flag, int ui_port_flag, bool headless, bool ui_ip_given);

}  // namespace zaman::server

#pragma once

#include <string>

namespace zaman::http {

// The version of the Temporal UI that zaman serves (the pinned
// github.com/temporalio/ui-server/v2 module).
const char* UiVersion();

// Where this build put the UI's app (the build tree), for ui.assets_dir's default.
const char* DefaultUiAssetsDir();

// GET /api/v1/settings: what the app reads first (auth off, the default
// namespace, no codec server, every action enabled), in the UI server's
// field names.
std::string UiSettingsJson(const std::string& default_namespace);

}  // namespace zaman::http

#include "http/ui_settings.h"

#include "http/json.h"

#ifndef ZAMAN_UI_VERSION
#define ZAMAN_UI_VERSION "unknown"
#endif
#ifndef ZAMAN_UI_ASSETS_DIR
#define ZAMAN_UI_ASSETS_DIR ""
#endif

namespace zaman::http {

const char* UiVersion() { return ZAMAN_UI_VERSION; }

const char* DefaultUiAssetsDir() { return ZAMAN_UI_ASSETS_DIR; }

std::string UiSettingsJson(const std::string& default_namespace) {
  Json settings = Json::object();
  settings["Auth"] = {{"Enabled", false}, {"Options", nullptr}};
  settings["BannerText"] = "";
  settings["DefaultNamespace"] = default_namespace;
  settings["ShowTemporalSystemNamespace"] = false;
  settings["FeedbackURL"] = "";
  settings["NotifyOnNewVersion"] = false;
  settings["Codec"] = {{"Endpoint", ""},
                       {"PassAccessToken", false},
                       {"IncludeCredentials", false},
                       {"DefaultErrorMessage", ""},
                       {"DefaultErrorLink", ""}};
  settings["Version"] = UiVersion();
  for (const char* flag :
       {"DisableWriteActions", "WorkflowTerminateDisabled", "WorkflowCancelDisabled", "WorkflowSignalDisabled",
        "WorkflowUpdateDisabled", "WorkflowResetDisabled", "BatchActionsDisabled", "StartWorkflowDisabled",
        "HideWorkflowQueryErrors", "RefreshWorkflowCountsDisabled", "ActivityCommandsDisabled"}) {
    settings[flag] = false;
  }
  return Dump(settings);
}

}  // namespace zaman::http

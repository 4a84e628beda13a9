// The zaman binary: `zaman server start-dev`, `zaman server start`,
// `zaman db setup|migrate|version`, `zaman --version`.
#include "absl/strings/string_view.h"
#include <functional>
#include <iostream>

#include <CLI/CLI.hpp>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/logging.h"
#include "common/version.h"
#include "server/config.h"
#include "server/db_command.h"
#include "server/dev_ports.h"
#include "server/dev_setup.h"
#include "server/server.h"

namespace {

using zaman::server::ServerConfig;

int Fail(absl::string_view message) {
  std::cerr << "zaman: " << message << "\n";
  return 2;
}

// `before_run` runs once logging is set up.
int Start(const ServerConfig& config, const std::function<absl::Status()>& before_run = nullptr) {
  // Abseil checks every lock against a graph of lock orders unless told not
  // to: a few percent of the server's CPU. The unit tests keep the check.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  if (absl::Status s = zaman::server::ValidateConfig(config); !s.ok()) return Fail(s.message());
  if (absl::Status s = zaman::InitLogging(config.log_level, config.log_format); !s.ok()) {
    return Fail(s.message());
  }
  if (before_run) {
    if (absl::Status s = before_run(); !s.ok()) return Fail(s.message());
  }
  return zaman::server::RunUntilSignalled(config);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Zaman: a durable workflow server that speaks Temporal's API", "zaman"};
  app.set_version_flag("--version", std::string("zaman ") + zaman::kVersion);
  app.require_subcommand(1);

  CLI::App* server = app.add_subcommand("server", "Run a Zaman server");
  server->require_subcommand(1);

  // start-dev: every role in one process on an embedded SQLite file.
  ServerConfig dev;
  dev.persistence.sqlite_path = "zaman.db";
  std::vector<std::string> extra_namespaces;
  std::string dev_log_format = "text";
  CLI::App* start_dev = server->add_subcommand("start-dev", "Start a development server (SQLite, all roles)");
  start_dev->add_option("--ip", dev.frontend.ip, "Address to listen on")->capture_default_str();
  start_dev->add_option("--port,-p", dev.frontend.port, "Frontend gRPC port")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  start_dev->add_option("--db-filename,-f", dev.persistence.sqlite_path,
                        "SQLite file to keep state in (\":memory:\" for none)")
      ->capture_default_str();
  int dev_metrics_port = 0;
  start_dev->add_option("--metrics-port", dev_metrics_port,
                        "Serve Prometheus metrics on this port at /metrics (default: none)")
      ->check(CLI::Range(1, 65535));
  // The HTTP API and the web UI, on by default as with the reference dev
  // server: HTTP on --port + 10 (7243), the UI on --port + 1000 (8233).
  int dev_http_port = -1, dev_ui_port = -1;
  bool dev_headless = false;
  start_dev->add_option("--http-port", dev_http_port, "HTTP API port (default: --port + 10, 7243)")
      ->check(CLI::Range(0, 65535));
  start_dev->add_option("--ui-port", dev_ui_port, "Web UI port (default: --port + 1000, 8233)")
      ->check(CLI::Range(0, 65535));
  start_dev->add_option("--ui-ip", dev.ui.ip, "Address the web UI listens on (default: --ip)");
  start_dev->add_option("--ui-asset-path", dev.ui.assets_dir, "Serve the web UI from this directory");
  start_dev->add_flag("--headless", dev_headless, "No web UI");
  start_dev->add_option("--namespace,-n", extra_namespaces, "Also register this namespace (repeatable)");
  start_dev->add_option("--log-level", dev.log_level, "debug, info, warn or error")
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}))
      ->capture_default_str();
  start_dev->add_option("--log-format", dev_log_format, "text or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  // The reference dev server's flags, so that setups written for it run.
  std::vector<std::string> dev_search_attributes, dev_dynamic_config;
  start_dev->add_option("--search-attribute", dev_search_attributes,
                        "Register a custom search attribute NAME=TYPE in every namespace (repeatable)");
  start_dev->add_option("--dynamic-config-value", dev_dynamic_config,
                        "Reference dev-server setting KEY=VALUE: accepted, and logged as honoured or ignored");

  // start: everything from a YAML file.
  std::string config_path;
  CLI::App* start = server->add_subcommand("start", "Start a server from a config file");
  start->add_option("--config,-c", config_path, "YAML config file (see docs/configuration.md)")->required();
  std::string services;
  start->add_option("--services", services,
                    "Roles to run, comma-separated: frontend, history, matching, worker (default: the config's "
                    "services:, else all four)");

  // db: the schema of a config's store (PostgreSQL and MySQL need it set
  // up before a server starts on them).
  CLI::App* db = app.add_subcommand("db", "Set up, migrate or show the schema of the store");
  db->require_subcommand(1);
  std::string db_config_path;
  std::vector<CLI::App*> db_actions;
  for (const char* action : {"setup", "migrate", "version"}) {
    CLI::App* sub = db->add_subcommand(action, action == std::string("setup")
                                                   ? "Create the database when missing, then its schema"
                                               : action == std::string("migrate")
                                                   ? "Apply the schema versions the store lacks"
                                                   : "Print the store's schema version");
    sub->add_option("--config,-c", db_config_path, "YAML config file (see docs/configuration.md)")->required();
    db_actions.push_back(sub);
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  }

  if (start_dev->parsed()) {
    dev.log_format = dev_log_format == "json" ? zaman::LogFormat::kJson : zaman::LogFormat::kText;
    if (dev_metrics_port != 0) {
      const std::string& ip = dev.frontend.ip;
      dev.metrics_listen_address =
          absl::StrCat(ip.find(':') != std::string::npos ? absl::StrCat("[", ip, "]") : ip, ":", dev_metrics_port);
    }
    zaman::server::ChooseDevHttpPorts(dev, dev_http_port, dev_ui_port, dev_headless, start_dev->count("--ui-ip") > 0);
    for (const std::string& name : extra_namespaces) {
      if (name != "default") dev.namespaces.push_back({name, absl::Hours(24)});
    }
    absl::StatusOr<std::vector<zaman::server::DevSearchAttribute>> attributes =
        zaman::server::ParseDevSearchAttributes(dev_search_attributes);
    if (!attributes.ok()) return Fail(attributes.status().message());
    return Start(dev, [&]() -> absl::Status {
      if (absl::Status s = zaman::server::ReportDynamicConfig(dev_dynamic_config); !s.ok()) return s;
      std::vector<std::string> names;
      for (const auto& ns : dev.namespaces) names.push_back(ns.name);
      zaman::server::RegisterDevSearchAttributesWhenUp(dev.frontend.ip, dev.frontend.port, std::move(names),
                                                      *attributes);
      return absl::OkStatus();
    });
  }
  for (CLI::App* action : db_actions) {
    if (action->parsed()) return zaman::server::RunDbCommand(action->get_name(), db_config_path);
  }
  absl::StatusOr<ServerConfig> config = zaman::server::LoadConfigFile(config_path);
  if (!config.ok()) return Fail(absl::StrCat(config_path, ": ", config.status().message()));
  if (!services.empty()) {
    absl::StatusOr<std::vector<std::string>> roles = zaman::server::ParseServices(services);
    if (!roles.ok()) return Fail(absl::StrCat("--services: ", roles.status().message()));
    config->services = *std::move(roles);
    if (absl::Status s = zaman::server::ValidateConfig(*config); !s.ok()) return Fail(s.message());
  }
  return Start(*config);
}

#pragma once

#include "absl/strings/string_view.h"
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/logging.h"
#include "frontend/frontend_server.h"
#include "persistence/store.h"

namespace zaman::server {

struct NamespaceConfig {
  std::string name;
  absl::Duration retention = absl::Hours(24);
};

// Everything a zaman process is started with. `server start` reads it from a
// YAML file (docs/configuration.md); `server start-dev` builds it from flags.
struct ServerConfig {
  std::string log_level = "info";
  LogFormat log_format = LogFormat::kText;
  frontend::FrontendOptions frontend;
  persistence::PersistenceConfig persistence;
  std::string cluster_name = "active";
  // Fixed when the store is created; later values are ignored.
  int num_shards = 4;
  // Registered at start-up if missing.
  std::vector<NamespaceConfig> namespaces = {{"default", absl::Hours(24)}};
  // Where Prometheus scrapes /metrics (host:port); empty: no endpoint, and
  // nothing is counted.
  std::string metrics_listen_address;
  // The Temporal Web UI (src/http); port -1: none, 0: a free port.
  struct Ui {
    std::string ip = "127.0.0.1";
    int port = -1;
    std::string assets_dir;  // empty: the app this build fetched
    std::string default_namespace = "default";
  } ui;
  // How long in-flight calls may run on after SIGINT/SIGTERM.
  absl::Duration shutdown_grace = absl::Seconds(10);

  // The roles this process runs (`services:`, `--services`): any of
  // frontend, history, matching, worker. A cluster (docs/cluster.md) runs
  // them in separate processes on a shared PostgreSQL or MySQL store.
  std::vector<std::string> services = {"frontend", "history", "matching", "worker"};
  // The internal ports of the backend roles (`history.port` ...), on
  // `internal_ip` (default: frontend.ip). 0 picks a free one.
  std::string internal_ip;
  int history_port = 7234;
  int matching_port = 7235;
  // `matching.partitions`: how many partitions each normal task queue has
  // in a cluster, each owned by a matching host of its own (sticky queues:
  // one). Temporal's default.
  int matching_partitions = 4;
  // `matching.backlog_buffer`: how many waiting tasks a matching host
  // keeps in memory per partition; beyond that they wait in the store
  // (task_queues / tasks), for whichever host owns the partition next.
  int matching_backlog_buffer = 1000;
  // `history.cache_size`: how many runs' mutable state a history host keeps
  // in memory (shared out among its shards), so that a busy run is not read
  // from the store on every change.
  int history_cache_size = 4096;
  int worker_port = 7239;
  // `membership.*`: the address other hosts dial to reach this one
  // (default: the internal listen ip), and how hosts notice each other.
  std::string broadcast_address;
  absl::Duration membership_heartbeat = absl::Seconds(3);
  absl::Duration membership_ttl = absl::Seconds(10);

  bool Runs(absl::string_view role) const;
  // Whether this process is (part of) a cluster: its store is shared.
  bool Clustered() const { return persistence.driver == "postgres" || persistence.driver == "mysql"; }
};

// The roles `--services` and `services:` accept.
inline constexpr const char* kRoleNames[] = {"frontend", "history", "matching", "worker"};
// "frontend,history" into its roles; InvalidArgument naming a wrong one.
absl::StatusOr<std::vector<std::string>> ParseServices(absl::string_view list);

// Parses and validates a YAML config. The error is one line that names the
// setting at fault, e.g. `frontend.port: must be a whole number from 0 to 65535`.
absl::StatusOr<ServerConfig> ParseConfig(absl::string_view yaml_text);
absl::StatusOr<ServerConfig> LoadConfigFile(const std::string& path);

// Checks the values of a config however it was made.
absl::Status ValidateConfig(const ServerConfig& config);

}  // namespace zaman::server

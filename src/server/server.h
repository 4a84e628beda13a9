#pragma once

#include <memory>

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "common/random.h"
#include "common/thread_pool.h"
#include "common/timer_service.h"
#include "frontend/frontend_server.h"
#include "frontend/namespace_registry.h"
#include "history/history_engine.h"
#include "history/rpc/history_service.h"
#include "history/rpc/routed_history_client.h"
#include "history/shard_controller.h"
#include "http/endpoints.h"
#include "matching/matching_host.h"
#include "matching/rpc/matching_service.h"
#include "matching/rpc/routed_matching_client.h"
#include "membership/membership.h"
#include "metrics/metrics.h"
#include "persistence/metered_stores.h"
#include "persistence/store.h"
#include "rpc/channel_pool.h"
#include "rpc/internal_server.h"
#include "server/config.h"
#include "worker/batch/batch_runner.h"
#include "worker/retention.h"
#include "worker/schedule/history_actions.h"
#include "worker/schedule/schedule_service.h"

namespace zaman::server {

// One zaman process: its store and the roles it runs. Alone (SQLite, or
// start-dev) it runs all four roles, which call each other directly. On a
// shared PostgreSQL or MySQL store it is a host of a cluster: each role it
// runs listens on its own port and registers in the membership table, and
// history and matching are reached through routing clients that call this
// process's own engine when it owns the shard or queue, and the owner's
// internal gRPC service otherwise (docs/cluster.md).
class Server {
 public:
  static absl::StatusOr<std::unique_ptr<Server>> Create(const ServerConfig& config);
  ~Server();

  // 0 for a role this process does not run.
  int frontend_port() const { return frontend_ ? frontend_->port() : 0; }
  int history_port() const { return history_server_ ? history_server_->port() : 0; }
  int matching_port() const { return matching_server_ ? matching_server_->port() : 0; }
  int worker_port() const { return worker_server_ ? worker_server_->port() : 0; }
  // 0 without a metrics endpoint.
  int metrics_port() const { return metrics_ ? metrics_->port() : 0; }
  // 0 without an HTTP API / a web UI.
  int http_port() const { return http_api_ ? http_api_->port() : 0; }
  int ui_port() const { return web_ui_ ? web_ui_->port() : 0; }

  // Graceful stop: no new calls, in-flight calls finish (up to the
  // configured grace), a cluster host leaves the membership and hands its
  // shards off, then the store is closed. Idempotent.
  void Shutdown();

 private:
  explicit Server(const ServerConfig& config) : config_(config) {}
  // The HTTP API and the web UI, as configured (server_http.cc).
  absl::Status StartHttp();

  absl::Status OpenStore();
  // One process, every role: engines wired to each other.
  absl::Status StartAlone();
  history::ShardOptions ShardOptionsOf() const;
  // A cluster host: the roles configured, their listeners, membership.
  absl::Status StartClusterHost();
  absl::Status StartFrontend();
  void StartWorkerRole();
  // A matching host joined or left: the queues it no longer owns go, and
  // history offers the tasks in its outboxes again.
  void MatchingRingChanged();

  const ServerConfig config_;
  Random random_;
  std::string matching_address_;  // a cluster host's, as the ring knows it
  persistence::ClusterMetadata cluster_;
  std::unique_ptr<metrics::Endpoint> metrics_;
  std::unique_ptr<persistence::Store> store_;
  std::unique_ptr<persistence::MeteredExecutionStore> executions_;
  std::unique_ptr<persistence::MeteredVisibilityStore> visibility_;
  std::unique_ptr<TimerService> timers_;
  // Blocking work (store calls) of the frontend's handlers and of history reads.
  std::unique_ptr<ThreadPool> blocking_pool_;

  // This process's own roles (null when it does not run them).
  std::unique_ptr<matching::MatchingHost> matching_;
  std::unique_ptr<history::HistoryEngine> history_;

  // A cluster host's routing and listeners.
  std::unique_ptr<rpc::ChannelPool> channels_;
  std::unique_ptr<persistence::MeteredMembershipStore> membership_store_;
  std::unique_ptr<persistence::MeteredTaskQueueStore> task_queue_store_;
  std::unique_ptr<membership::Membership> membership_;
  std::unique_ptr<matching::rpc::RoutedMatchingClient> routed_matching_;
  // Exact routing (no partition choice): where partitions forward to their root.
  std::unique_ptr<matching::rpc::RoutedMatchingClient> root_matching_;
  std::unique_ptr<history::rpc::RoutedHistoryClient> routed_history_;
  std::unique_ptr<history::rpc::HistoryService> history_service_;
  std::unique_ptr<matching::rpc::MatchingService> matching_service_;
  std::unique_ptr<rpc::InternalServer> history_server_;
  std::unique_ptr<rpc::InternalServer> matching_server_;
  std::unique_ptr<rpc::InternalServer> worker_server_;
  std::unique_ptr<history::ShardController> shard_controller_;

  // What the frontend and the worker role call: the engines alone, the
  // routing clients in a cluster.
  history::HistoryClient* history_client_ = nullptr;
  matching::MatchingClient* matching_client_ = nullptr;

  std::unique_ptr<worker::RetentionScanner> retention_;
  std::unique_ptr<worker::batch::BatchRunner> batches_;
  std::unique_ptr<worker::schedule::HistoryWorkflowActions> schedule_actions_;
  std::unique_ptr<worker::schedule::ScheduleService> schedules_;
  std::unique_ptr<frontend::NamespaceHandler> namespaces_;
  std::unique_ptr<frontend::NamespaceRegistry> registry_;
  std::unique_ptr<frontend::FrontendServer> frontend_;
  std::unique_ptr<http::HttpServer> http_api_;
  std::unique_ptr<http::HttpServer> web_ui_;
};

// Runs a server until SIGINT or SIGTERM, then stops it gracefully.
// Returns the process exit code.
int RunUntilSignalled(const ServerConfig& config);

}  // namespace zaman::server

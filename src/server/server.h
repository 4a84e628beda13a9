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
#include "http/endpoints.h"
#include "matching/matching_engine.h"
#include "matching/query_registry.h"
#include "metrics/metrics.h"
#include "persistence/metered_stores.h"
#include "persistence/store.h"
#include "server/config.h"
#include "worker/batch/batch_runner.h"
#include "worker/retention.h"
#include "worker/schedule/history_actions.h"
#include "worker/schedule/schedule_service.h"

namespace zaman::server {

// One zaman process: its store and the roles it runs (frontend, history,
// matching and worker, all in this process).
// Create() opens the store, records the cluster's metadata on first use,
// registers the configured namespaces and starts listening.
class Server {
 public:
  static absl::StatusOr<std::unique_ptr<Server>> Create(const ServerConfig& config);
  ~Server();

  int frontend_port() const { return frontend_->port(); }
  // 0 without a metrics endpoint.
  int metrics_port() const { return metrics_ ? metrics_->port() : 0; }
  // 0 without an HTTP API / a web UI.
  int http_port() const { return http_api_ ? http_api_->port() : 0; }
  int ui_port() const { return web_ui_ ? web_ui_->port() : 0; }

  // Graceful stop: no new calls, in-flight calls finish (up to the
  // configured grace), then the store is closed. Idempotent.
  void Shutdown();

 private:
  explicit Server(const ServerConfig& config) : config_(config) {}
  // The HTTP API and the web UI, as configured (server_http.cc).
  absl::Status StartHttp();

  const ServerConfig config_;
  Random random_;
  std::unique_ptr<metrics::Endpoint> metrics_;
  std::unique_ptr<persistence::Store> store_;
  std::unique_ptr<persistence::MeteredExecutionStore> executions_;
  std::unique_ptr<persistence::MeteredVisibilityStore> visibility_;
  std::unique_ptr<TimerService> timers_;
  // Blocking work (store calls) of the frontend's handlers and of history reads.
  std::unique_ptr<ThreadPool> blocking_pool_;
  std::unique_ptr<matching::MatchingEngine> matching_;
  matching::QueryRegistry queries_;
  std::unique_ptr<history::HistoryEngine> history_;
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

#include "server/server.h"

#include <csignal>

#include <spdlog/spdlog.h>

#include "absl/strings/str_cat.h"
#include "common/version.h"

namespace zaman::server {
namespace {

// How often the worker role looks for runs past their namespace's
// retention period.
constexpr absl::Duration kRetentionSweepInterval = absl::Minutes(10);

}  // namespace

absl::StatusOr<std::unique_ptr<Server>> Server::Create(const ServerConfig& config) {
  if (absl::Status s = ValidateConfig(config); !s.ok()) return s;
  std::unique_ptr<Server> server(new Server(config));
  if (!config.metrics_listen_address.empty()) {
    absl::StatusOr<std::unique_ptr<metrics::Endpoint>> endpoint = metrics::Endpoint::Start(config.metrics_listen_address);
    if (!endpoint.ok()) return endpoint.status();
    server->metrics_ = *std::move(endpoint);
    metrics::SetEnabled(true);
    for (auto role : {metrics::Service::kFrontend, metrics::Service::kHistory, metrics::Service::kMatching,
                      metrics::Service::kWorker}) {
      metrics::CountRestart(role);
    }
  }

  absl::StatusOr<std::unique_ptr<persistence::Store>> store = persistence::OpenStore(config.persistence);
  if (!store.ok()) return store.status();
  server->store_ = *std::move(store);
  server->executions_ = std::make_unique<persistence::MeteredExecutionStore>(server->store_->executions());
  server->visibility_ = std::make_unique<persistence::MeteredVisibilityStore>(server->store_->visibility());

  persistence::ClusterMetadata initial{config.cluster_name, server->random_.NewUuid(), config.num_shards,
                                       Clock::Real().Now()};
  absl::StatusOr<persistence::ClusterMetadata> cluster = server->store_->cluster().InitClusterMetadata(initial);
  if (!cluster.ok()) return cluster.status();
  if (cluster->num_shards != config.num_shards) {
    spdlog::warn("the store was created with {} history shards; the configured {} is ignored",
                 cluster->num_shards, config.num_shards);
  }

  server->timers_ = std::make_unique<TimerService>(Clock::Real(), /*run_thread=*/true);
  server->blocking_pool_ = std::make_unique<ThreadPool>(4);
  server->matching_ = std::make_unique<matching::MatchingEngine>(Clock::Real(), *server->timers_);
  server->history_ = std::make_unique<history::HistoryEngine>(
      *server->executions_, *server->visibility_, Clock::Real(), *server->timers_, server->random_, cluster->num_shards,
      *server->matching_, *server->blocking_pool_);
  if (absl::Status s = server->history_->Start(); !s.ok()) return s;
  server->registry_ = std::make_unique<frontend::NamespaceRegistry>(server->store_->namespaces());
  server->namespaces_ = std::make_unique<frontend::NamespaceHandler>(
      server->store_->namespaces(), Clock::Real(), server->random_, cluster->cluster_name);
  for (const NamespaceConfig& ns : config.namespaces) {
    if (absl::Status s = server->namespaces_->Ensure(ns.name, ns.retention); !s.ok()) {
      return absl::Status(s.code(), absl::StrCat("registering namespace ", ns.name, ": ", s.message()));
    }
  }

  frontend::NamespaceRegistry& registry = *server->registry_;
  server->schedule_actions_ = std::make_unique<worker::schedule::HistoryWorkflowActions>(
      *server->history_, [&registry](const std::string& name) { return registry.Resolve(name); });
  server->schedules_ = std::make_unique<worker::schedule::ScheduleService>(
      server->store_->jobs(), *server->visibility_, *server->schedule_actions_, Clock::Real(),
      *server->timers_, *server->blocking_pool_, server->random_);

  frontend::ServerIdentity identity{kVersion, *cluster, std::string(server->store_->backend_name())};
  frontend::WorkflowService::Backends backends{
      *server->namespaces_, *server->registry_, *server->history_, *server->matching_, server->queries_,
      *server->blocking_pool_, Clock::Real(), *server->timers_, server->random_,
      *server->visibility_, server->store_->namespaces(), server->schedules_.get(), &server->store_->jobs()};
  absl::StatusOr<std::unique_ptr<frontend::FrontendServer>> frontend =
      frontend::FrontendServer::Start(config.frontend, backends, identity);
  if (!frontend.ok()) return frontend.status();
  server->frontend_ = *std::move(frontend);
  if (absl::Status s = server->StartHttp(); !s.ok()) return s;
  server->retention_ = std::make_unique<worker::RetentionScanner>(
      server->store_->namespaces(), *server->visibility_, *server->history_, Clock::Real(), *server->timers_,
      *server->blocking_pool_, kRetentionSweepInterval);
  server->retention_->Start();
  server->schedules_->Start();
  server->batches_ = std::make_unique<worker::batch::BatchRunner>(
      server->store_->jobs(), server->store_->namespaces(), *server->visibility_, *server->history_,
      Clock::Real(), *server->timers_, *server->blocking_pool_);
  server->batches_->Start();
  return server;
}

Server::~Server() { Shutdown(); }

void Server::Shutdown() {
  // Order matters. Parked long polls are answered first (empty), so that
  // the frontend's graceful stop does not wait on them; then calls in
  // flight finish against a live history; then history stops writing; the
  // pool drains; the store closes last.
  if (retention_) retention_->Stop();
  if (schedules_) schedules_->Stop();
  if (batches_) batches_->Stop();
  if (matching_) matching_->Shutdown();
  if (history_) history_->ReleaseWaiters();
  if (web_ui_) web_ui_->Stop();
  if (http_api_) http_api_->Stop();
  if (frontend_) frontend_->Shutdown(config_.shutdown_grace);
  if (history_) history_->Stop();
  blocking_pool_.reset();
  web_ui_.reset();
  http_api_.reset();
  frontend_.reset();
  retention_.reset();
  schedules_.reset();
  schedule_actions_.reset();
  batches_.reset();
  history_.reset();
  matching_.reset();
  timers_.reset();
  registry_.reset();
  namespaces_.reset();
  visibility_.reset();
  executions_.reset();
  store_.reset();
  metrics_.reset();
}

int RunUntilSignalled(const ServerConfig& config) {
  // Block the stop signals in every thread (the ones started below inherit
  // the mask); this thread takes them with sigwait.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  absl::Time started = absl::Now();
  absl::StatusOr<std::unique_ptr<Server>> server = Server::Create(config);
  if (!server.ok()) {
    spdlog::error("zaman could not start: {}", std::string(server.status().message()));
    return server.status().code() == absl::StatusCode::kInvalidArgument ? 2 : 1;
  }
  spdlog::info("zaman {} listening on {}:{} ({}; {}{}), started in {}", kVersion, config.frontend.ip,
               (*server)->frontend_port(), config.frontend.tls.enabled() ? "TLS" : "plaintext",
               config.persistence.driver == "sqlite" ? "sqlite " + config.persistence.sqlite_path
                                                     : config.persistence.driver,
               (*server)->metrics_port() != 0 ? absl::StrCat("; metrics on :", (*server)->metrics_port(), "/metrics")
                                              : std::string(),
               absl::FormatDuration(absl::Now() - started));

  int signal = 0;
  sigwait(&stop_signals, &signal);
  spdlog::info("received {}, stopping", signal == SIGINT ? "SIGINT" : "SIGTERM");
  (*server)->Shutdown();
  spdlog::info("stopped");
  return 0;
}

}  // namespace zaman::server

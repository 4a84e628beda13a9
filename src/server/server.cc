#include "server/server.h"

#include <csignal>

#include <spdlog/spdlog.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/version.h"

namespace zaman::server {
namespace {

// How often the worker role looks for runs past their namespace's
// retention period.
constexpr absl::Duration kRetentionSweepInterval = absl::Minutes(10);
// After the matching ring changes, history waits this long before it
// offers its outbox tasks again, so that every host's view has caught up.
constexpr absl::Duration kRedispatchDelay = absl::Seconds(2);

std::string HostPort(const std::string& ip, int port) {
  return absl::StrCat(ip.find(':') != std::string::npos ? absl::StrCat("[", ip, "]") : ip, ":", port);
}

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
  if (absl::Status s = server->OpenStore(); !s.ok()) return s;
  server->timers_ = std::make_unique<TimerService>(Clock::Real(), /*run_thread=*/true);
  // A cluster host's routed blocking calls may wait out a ring change.
  server->blocking_pool_ = std::make_unique<ThreadPool>(config.Clustered() ? 16 : 4);
  server->registry_ = std::make_unique<frontend::NamespaceRegistry>(server->store_->namespaces());
  server->namespaces_ = std::make_unique<frontend::NamespaceHandler>(
      server->store_->namespaces(), Clock::Real(), server->random_, server->cluster_.cluster_name);
  for (const NamespaceConfig& ns : config.namespaces) {
    if (absl::Status s = server->namespaces_->Ensure(ns.name, ns.retention); !s.ok()) {
      return absl::Status(s.code(), absl::StrCat("registering namespace ", ns.name, ": ", s.message()));
    }
  }
  absl::Status started = config.Clustered() ? server->StartClusterHost() : server->StartAlone();
  if (!started.ok()) return started;

  frontend::NamespaceRegistry& registry = *server->registry_;
  server->schedule_actions_ = std::make_unique<worker::schedule::HistoryWorkflowActions>(
      *server->history_client_, [&registry](const std::string& name) { return registry.Resolve(name); });
  server->schedules_ = std::make_unique<worker::schedule::ScheduleService>(
      server->store_->jobs(), *server->visibility_, *server->schedule_actions_, Clock::Real(),
      *server->timers_, *server->blocking_pool_, server->random_);
  if (config.Runs("frontend")) {
    if (absl::Status s = server->StartFrontend(); !s.ok()) return s;
    if (absl::Status s = server->StartHttp(); !s.ok()) return s;
  }
  if (config.Runs("worker")) server->StartWorkerRole();
  return server;
}

absl::Status Server::OpenStore() {
  absl::StatusOr<std::unique_ptr<persistence::Store>> store = persistence::OpenStore(config_.persistence);
  if (!store.ok()) return store.status();
  store_ = *std::move(store);
  executions_ = std::make_unique<persistence::MeteredExecutionStore>(store_->executions());
  visibility_ = std::make_unique<persistence::MeteredVisibilityStore>(store_->visibility());
  persistence::ClusterMetadata initial{config_.cluster_name, random_.NewUuid(), config_.num_shards,
                                       Clock::Real().Now()};
  absl::StatusOr<persistence::ClusterMetadata> cluster = store_->cluster().InitClusterMetadata(initial);
  if (!cluster.ok()) return cluster.status();
  if (cluster->num_shards != config_.num_shards) {
    spdlog::warn("the store was created with {} history shards; the configured {} is ignored", cluster->num_shards,
                 config_.num_shards);
  }
  cluster_ = *cluster;
  return absl::OkStatus();
}

history::ShardOptions Server::ShardOptionsOf() const {
  history::ShardOptions options;
  const int shards = std::max(1, cluster_.num_shards);
  options.cache_size = static_cast<size_t>(std::max(1, config_.history_cache_size / shards));
  return options;
}

absl::Status Server::StartAlone() {
  // The backlog beyond matching.backlog_buffer waits in the store, here too.
  task_queue_store_ = std::make_unique<persistence::MeteredTaskQueueStore>(store_->task_queues());
  matching::BacklogOptions backlog{task_queue_store_.get(), static_cast<size_t>(config_.matching_backlog_buffer)};
  matching_ = std::make_unique<matching::MatchingHost>(Clock::Real(), *timers_, backlog, blocking_pool_.get());
  history_ = std::make_unique<history::HistoryEngine>(*executions_, *visibility_, Clock::Real(), *timers_, random_,
                                                      cluster_.num_shards, *matching_, *blocking_pool_,
                                                      ShardOptionsOf());
  if (absl::Status s = history_->Start(); !s.ok()) return s;
  history_client_ = history_.get();
  matching_client_ = matching_.get();
  return absl::OkStatus();
}

absl::Status Server::StartClusterHost() {
  const std::string& ip = config_.internal_ip.empty() ? config_.frontend.ip : config_.internal_ip;
  const std::string& broadcast = config_.broadcast_address.empty() ? ip : config_.broadcast_address;
  channels_ = std::make_unique<rpc::ChannelPool>();
  membership::MembershipOptions options;
  options.heartbeat_interval = config_.membership_heartbeat;
  options.ttl = config_.membership_ttl;
  const metrics::Service counted_as = config_.Runs("history")    ? metrics::Service::kHistory
                                      : config_.Runs("matching") ? metrics::Service::kMatching
                                      : config_.Runs("frontend") ? metrics::Service::kFrontend
                                                                 : metrics::Service::kWorker;
  membership_store_ = std::make_unique<persistence::MeteredMembershipStore>(store_->membership(), counted_as);
  membership_ = std::make_unique<membership::Membership>(*membership_store_, random_.NewUuid(), options);

  if (config_.Runs("matching")) {
    task_queue_store_ = std::make_unique<persistence::MeteredTaskQueueStore>(store_->task_queues());
    matching::BacklogOptions backlog{task_queue_store_.get(), static_cast<size_t>(config_.matching_backlog_buffer)};
    matching_ = std::make_unique<matching::MatchingHost>(Clock::Real(), *timers_, backlog, blocking_pool_.get());
  }
  routed_matching_ = std::make_unique<matching::rpc::RoutedMatchingClient>(*membership_, *channels_, matching_.get(),
                                                                          *timers_, config_.matching_partitions);
  root_matching_ = std::make_unique<matching::rpc::RoutedMatchingClient>(*membership_, *channels_, matching_.get(),
                                                                        *timers_, /*partitions=*/1);
  if (matching_) matching_->SetForwarder(root_matching_.get());
  if (config_.Runs("history")) {
    history_ = std::make_unique<history::HistoryEngine>(*executions_, *visibility_, Clock::Real(), *timers_, random_,
                                                        cluster_.num_shards, *routed_matching_, *blocking_pool_,
                                                        ShardOptionsOf());
  }
  routed_history_ = std::make_unique<history::rpc::RoutedHistoryClient>(*membership_, *channels_, history_.get(),
                                                                        *timers_, cluster_.num_shards);
  history_client_ = routed_history_.get();
  matching_client_ = routed_matching_.get();

  // Each backend role listens on its own port, and is known by it.
  auto listen = [&](membership::Role role, int port,
                    std::vector<grpc::Service*> services) -> absl::StatusOr<std::unique_ptr<rpc::InternalServer>> {
    absl::StatusOr<std::unique_ptr<rpc::InternalServer>> server = rpc::InternalServer::Start(ip, port, services);
    if (!server.ok()) {
      return absl::Status(server.status().code(),
                          absl::StrCat(membership::RoleName(role), ".port: ", server.status().message()));
    }
    membership_->AddRole(role, HostPort(broadcast, (*server)->port()));
    return server;
  };
  if (history_) {
    history_->SetRouter(*routed_history_);
    history_service_ = std::make_unique<history::rpc::HistoryService>(*history_, *blocking_pool_);
    auto server = listen(membership::Role::kHistory, config_.history_port, {history_service_.get()});
    if (!server.ok()) return server.status();
    history_server_ = *std::move(server);
    routed_history_->SetLocalAddress(HostPort(broadcast, history_server_->port()));
  }
  if (matching_) {
    matching_service_ = std::make_unique<matching::rpc::MatchingService>(*matching_, *blocking_pool_);
    auto server = listen(membership::Role::kMatching, config_.matching_port, {matching_service_.get()});
    if (!server.ok()) return server.status();
    matching_server_ = *std::move(server);
    matching_address_ = HostPort(broadcast, matching_server_->port());
    routed_matching_->SetLocalAddress(matching_address_);
    root_matching_->SetLocalAddress(matching_address_);
  }
  if (config_.Runs("worker")) {
    auto server = listen(membership::Role::kWorker, config_.worker_port, {});
    if (!server.ok()) return server.status();
    worker_server_ = *std::move(server);
  }
  if (config_.Runs("frontend")) {
    membership_->AddRole(membership::Role::kFrontend, HostPort(broadcast, config_.frontend.port));
  }
  if (absl::Status s = membership_->Start(); !s.ok()) return s;
  membership_->OnChange([this](membership::Role role) {
    if (role == membership::Role::kMatching) MatchingRingChanged();
  });
  if (history_) {
    shard_controller_ = std::make_unique<history::ShardController>(
        *history_, *membership_, HostPort(broadcast, history_server_->port()));
    shard_controller_->Start();
  }
  spdlog::info("cluster host {} runs {} (history :{}, matching :{}, worker :{})", membership_->host_id(),
               absl::StrJoin(config_.services, ","), history_port(), matching_port(), worker_port());
  return absl::OkStatus();
}

void Server::MatchingRingChanged() {
  if (matching_) {
    int dropped = matching_->engine().DropQueues([this](const matching::TaskQueueKey& queue) {
      absl::StatusOr<std::string> owner =
          membership_->Owner(membership::Role::kMatching, matching::rpc::RoutedMatchingClient::KeyOf(queue));
      return owner.ok() && *owner != matching_address_;
    });
    if (dropped > 0) spdlog::info("matching: {} task queues moved to other hosts", dropped);
  }
  if (history_) {
    timers_->Schedule(absl::Now() + kRedispatchDelay, [this] { history_->RedispatchMatchingTasks(); });
  }
}

absl::Status Server::StartFrontend() {
  frontend::ServerIdentity identity{kVersion, cluster_, std::string(store_->backend_name())};
  frontend::WorkflowService::Backends backends{
      *namespaces_, *registry_, *history_client_, *matching_client_, *blocking_pool_, Clock::Real(), *timers_,
      random_, *visibility_, store_->namespaces(), schedules_.get(), &store_->jobs()};
  absl::StatusOr<std::unique_ptr<frontend::FrontendServer>> frontend =
      frontend::FrontendServer::Start(config_.frontend, backends, identity);
  if (!frontend.ok()) return frontend.status();
  frontend_ = *std::move(frontend);
  return absl::OkStatus();
}

void Server::StartWorkerRole() {
  retention_ = std::make_unique<worker::RetentionScanner>(store_->namespaces(), *visibility_, *history_client_,
                                                          Clock::Real(), *timers_, *blocking_pool_,
                                                          kRetentionSweepInterval);
  retention_->Start();
  schedules_->Start();
  batches_ = std::make_unique<worker::batch::BatchRunner>(store_->jobs(), store_->namespaces(), *visibility_,
                                                          *history_client_, Clock::Real(), *timers_, *blocking_pool_);
  batches_->Start();
}

Server::~Server() { Shutdown(); }

void Server::Shutdown() {
  // Order matters. Parked long polls are answered first (empty), so that
  // the frontend's graceful stop does not wait on them; then calls in
  // flight finish against a live history; a cluster host then leaves the
  // membership and hands its shards off; history stops writing; the pool
  // drains; the store closes last.
  if (retention_) retention_->Stop();
  if (schedules_) schedules_->Stop();
  if (batches_) batches_->Stop();
  if (matching_) matching_->Shutdown();
  if (history_) history_->ReleaseWaiters();
  if (web_ui_) web_ui_->Stop();
  if (http_api_) http_api_->Stop();
  if (frontend_) frontend_->Shutdown(config_.shutdown_grace);
  if (membership_) membership_->Leave();
  if (shard_controller_) shard_controller_->Stop();
  for (auto* server : {&history_server_, &matching_server_, &worker_server_}) {
    if (*server) (*server)->Shutdown(absl::Seconds(1));
  }
  if (history_) history_->Stop();
  blocking_pool_.reset();
  web_ui_.reset();
  http_api_.reset();
  frontend_.reset();
  retention_.reset();
  schedules_.reset();
  schedule_actions_.reset();
  batches_.reset();
  shard_controller_.reset();
  history_server_.reset();
  matching_server_.reset();
  worker_server_.reset();
  history_service_.reset();
  matching_service_.reset();
  routed_history_.reset();
  history_.reset();
  routed_matching_.reset();
  root_matching_.reset();
  matching_.reset();
  task_queue_store_.reset();
  membership_.reset();
  membership_store_.reset();
  channels_.reset();
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
  const std::string store = config.persistence.driver == "sqlite" ? "sqlite " + config.persistence.sqlite_path
                                                                   : config.persistence.driver;
  const std::string metrics = (*server)->metrics_port() != 0
                                  ? absl::StrCat("; metrics on :", (*server)->metrics_port(), "/metrics")
                                  : std::string();
  if ((*server)->frontend_port() != 0) {
    spdlog::info("zaman {} listening on {}:{} ({}; {}{}), started in {}", kVersion, config.frontend.ip,
                 (*server)->frontend_port(), config.frontend.tls.enabled() ? "TLS" : "plaintext", store, metrics,
                 absl::FormatDuration(absl::Now() - started));
  } else {
    spdlog::info("zaman {} running {} ({}{}), started in {}", kVersion, absl::StrJoin(config.services, ","), store,
                 metrics, absl::FormatDuration(absl::Now() - started));
  }

  int signal = 0;
  sigwait(&stop_signals, &signal);
  spdlog::info("received {}, stopping", signal == SIGINT ? "SIGINT" : "SIGTERM");
  (*server)->Shutdown();
  spdlog::info("stopped");
  return 0;
}

}  // namespace zaman::server

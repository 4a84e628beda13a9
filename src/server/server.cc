#include "server/server.h"

#include <csignal>

#include <spdlog/spdlog.h>

#include "absl/strings/str_cat.h"
#include "common/version.h"

namespace zaman::server {

absl::StatusOr<std::unique_ptr<Server>> Server::Create(const ServerConfig& config) {
  if (absl::Status s = ValidateConfig(config); !s.ok()) return s;
  std::unique_ptr<Server> server(new Server(config));

  absl::StatusOr<std::unique_ptr<persistence::Store>> store = persistence::OpenStore(config.persistence);
  if (!store.ok()) return store.status();
  server->store_ = *std::move(store);

  persistence::ClusterMetadata initial{config.cluster_name, server->random_.NewUuid(), config.num_shards,
                                       Clock::Real().Now()};
  absl::StatusOr<persistence::ClusterMetadata> cluster = server->store_->cluster().InitClusterMetadata(initial);
  if (!cluster.ok()) return cluster.status();
  if (cluster->num_shards != config.num_shards) {
    spdlog::warn("the store was created with {} history shards; the configured {} is ignored",
                 cluster->num_shards, config.num_shards);
  }

  server->blocking_pool_ = std::make_unique<ThreadPool>(4);
  server->namespaces_ = std::make_unique<frontend::NamespaceHandler>(
      server->store_->namespaces(), Clock::Real(), server->random_, cluster->cluster_name);
  for (const NamespaceConfig& ns : config.namespaces) {
    if (absl::Status s = server->namespaces_->Ensure(ns.name, ns.retention); !s.ok()) {
      return absl::Status(s.code(), absl::StrCat("registering namespace ", ns.name, ": ", s.message()));
    }
  }

  frontend::ServerIdentity identity{kVersion, *cluster, std::string(server->store_->backend_name())};
  absl::StatusOr<std::unique_ptr<frontend::FrontendServer>> frontend = frontend::FrontendServer::Start(
      config.frontend, *server->namespaces_, *server->blocking_pool_, identity);
  if (!frontend.ok()) return frontend.status();
  server->frontend_ = *std::move(frontend);
  return server;
}

Server::~Server() { Shutdown(); }

void Server::Shutdown() {
  // Order matters: the frontend's calls use the pool, the pool's tasks use
  // the store.
  if (frontend_) frontend_->Shutdown(config_.shutdown_grace);
  blocking_pool_.reset();
  frontend_.reset();
  namespaces_.reset();
  store_.reset();
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
  spdlog::info("zaman {} listening on {}:{} ({}; {}), started in {}", kVersion, config.frontend.ip,
               (*server)->frontend_port(), config.frontend.tls.enabled() ? "TLS" : "plaintext",
               config.persistence.driver == "sqlite" ? "sqlite " + config.persistence.sqlite_path
                                                     : config.persistence.driver,
               absl::FormatDuration(absl::Now() - started));

  int signal = 0;
  sigwait(&stop_signals, &signal);
  spdlog::info("received {}, stopping", signal == SIGINT ? "SIGINT" : "SIGTERM");
  (*server)->Shutdown();
  spdlog::info("stopped");
  return 0;
}

}  // namespace zaman::server

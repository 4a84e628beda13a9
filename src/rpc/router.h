#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/timer_service.h"
#include "membership/resolver.h"
#include "rpc/channel_pool.h"
#include "rpc/retry.h"

namespace zaman::rpc {

// Sends calls of a role's client interface (HistoryClient, MatchingClient)
// to the host that owns their key on the role's ring: this process's own
// implementation when the owner is this host, else a gRPC peer. A call
// answered with a retryable error (common/errors ownership lost, host
// unreachable) is asked again, wherever the ring points then, until its
// budget is spent. Thread-safe.
template <typename Client>
class Router {
 public:
  using PeerFactory = std::function<std::unique_ptr<Client>(std::shared_ptr<grpc::Channel>)>;

  // `local` (may be null) serves the calls whose owner is this host's
  // address (SetLocalAddress, once it listens).
  Router(membership::Resolver& resolver, membership::Role role, ChannelPool& channels, Client* local,
         TimerService& timers, PeerFactory make_peer)
      : resolver_(resolver),
        role_(role),
        channels_(channels),
        local_(local),
        timers_(timers),
        make_peer_(std::move(make_peer)) {}

  void SetLocalAddress(std::string address) {
    absl::MutexLock lock(&mu_);
    local_address_ = std::move(address);
  }

  template <typename T>
  using Invoke = std::function<void(Client&, std::function<void(absl::StatusOr<T>)>)>;

  // Calls `invoke` on the owner of `key`; `done` gets the first answer that
  // is not retryable, or the last one at `give_up_at`.
  template <typename T>
  void Route(const std::string& key, absl::Time give_up_at, Invoke<T> invoke,
             std::function<void(absl::StatusOr<T>)> done, int attempt = 1) {
    absl::StatusOr<Client*> target = OwnerOf(key);
    if (!target.ok()) return Retry<T>(key, give_up_at, std::move(invoke), std::move(done), attempt, target.status());
    Client& client = **target;
    auto shared_invoke = std::make_shared<Invoke<T>>(std::move(invoke));
    (*shared_invoke)(client, [this, key, give_up_at, shared_invoke, done = std::move(done),
                              attempt](absl::StatusOr<T> result) mutable {
      if (result.ok() || !Retryable(result.status())) return done(std::move(result));
      Retry<T>(key, give_up_at, std::move(*shared_invoke), std::move(done), attempt, result.status());
    });
  }

  // The same, blocking the calling thread.
  template <typename T>
  absl::StatusOr<T> RouteBlocking(const std::string& key, absl::Time give_up_at,
                                  const std::function<absl::StatusOr<T>(Client&)>& invoke) {
    for (int attempt = 1;; ++attempt) {
      absl::StatusOr<Client*> target = OwnerOf(key);
      absl::StatusOr<T> result = target.ok() ? invoke(**target) : absl::StatusOr<T>(target.status());
      if (result.ok() || !Retryable(result.status()) || absl::Now() + RetryBackoff(attempt) > give_up_at) {
        return result;
      }
      resolver_.Refresh();
      absl::SleepFor(RetryBackoff(attempt));
    }
  }

 private:
  template <typename T>
  void Retry(const std::string& key, absl::Time give_up_at, Invoke<T> invoke,
             std::function<void(absl::StatusOr<T>)> done, int attempt, absl::Status why) {
    const absl::Duration pause = RetryBackoff(attempt);
    if (absl::Now() + pause > give_up_at) return done(std::move(why));
    resolver_.Refresh();
    auto again = std::make_shared<std::pair<Invoke<T>, std::function<void(absl::StatusOr<T>)>>>(std::move(invoke),
                                                                                                std::move(done));
    timers_.Schedule(absl::Now() + pause, [this, key, give_up_at, again, attempt] {
      Route<T>(key, give_up_at, std::move(again->first), std::move(again->second), attempt + 1);
    });
  }

  absl::StatusOr<Client*> OwnerOf(const std::string& key) {
    absl::StatusOr<std::string> owner = resolver_.Owner(role_, key);
    if (!owner.ok()) return owner.status();
    absl::MutexLock lock(&mu_);
    if (local_ != nullptr && *owner == local_address_) return local_;
    std::unique_ptr<Client>& peer = peers_[*owner];
    if (peer == nullptr) peer = make_peer_(channels_.Get(*owner));
    return peer.get();
  }

  membership::Resolver& resolver_;
  const membership::Role role_;
  ChannelPool& channels_;
  Client* const local_;
  TimerService& timers_;
  const PeerFactory make_peer_;
  absl::Mutex mu_;
  std::string local_address_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::unique_ptr<Client>> peers_ ABSL_GUARDED_BY(mu_);
};

}  // namespace zaman::rpc

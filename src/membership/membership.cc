#include "membership/membership.h"

#include <spdlog/spdlog.h>

#include "absl/strings/str_join.h"
#include "absl/time/clock.h"

namespace zaman::membership {

const char* RoleName(Role role) {
  switch (role) {
    case Role::kFrontend:
      return "frontend";
    case Role::kHistory:
      return "history";
    case Role::kMatching:
      return "matching";
    case Role::kWorker:
      return "worker";
  }
  return "unknown";
}

Membership::Membership(persistence::MembershipStore& store, std::string host_id, MembershipOptions options)
    : store_(store),
      host_id_(std::move(host_id)),
      options_(options),
      session_start_(absl::Now()) {}

Membership::~Membership() { Leave(); }

absl::Status Membership::Start() {
  if (absl::Status s = Heartbeat(); !s.ok()) return s;
  if (absl::StatusOr<std::vector<Role>> read = ReadRings(); !read.ok()) return read.status();
  {
    absl::MutexLock lock(&mu_);
    stopping_ = false;
  }
  thread_ = std::thread([this] { Loop(); });
  return absl::OkStatus();
}

void Membership::Leave() {
  {
    absl::MutexLock lock(&mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
  for (const auto& [role, address] : roles_) {
    if (absl::Status s = store_.Leave(RoleName(role), host_id_); !s.ok()) {
      spdlog::warn("membership: could not leave as {}: {}", RoleName(role), s.ToString());
    }
  }
}

void Membership::OnChange(std::function<void(Role)> listener) {
  absl::MutexLock lock(&mu_);
  listeners_.push_back(std::move(listener));
}

absl::StatusOr<std::string> Membership::Owner(Role role, const std::string& key) {
  std::shared_ptr<const HashRing> ring;
  {
    absl::MutexLock lock(&mu_);
    auto it = rings_.find(role);
    if (it != rings_.end()) ring = it->second;
  }
  if (ring == nullptr || ring->empty()) {
    return absl::UnavailableError(std::string("no ") + RoleName(role) + " host is live in the cluster");
  }
  return ring->Owner(key).address;
}

void Membership::Refresh() {
  absl::MutexLock lock(&mu_);
  refresh_now_ = true;
}

std::vector<HashRing::Member> Membership::Members(Role role) {
  absl::MutexLock lock(&mu_);
  auto it = rings_.find(role);
  return it == rings_.end() ? std::vector<HashRing::Member>() : it->second->members();
}

absl::Status Membership::Heartbeat() {
  const absl::Time now = absl::Now();
  for (const auto& [role, address] : roles_) {
    persistence::HostRecord record{host_id_, RoleName(role), address, session_start_, now, now + options_.ttl};
    if (absl::Status s = store_.Heartbeat(record); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<Role>> Membership::ReadRings() {
  std::vector<Role> changed;
  for (Role role : {Role::kFrontend, Role::kHistory, Role::kMatching, Role::kWorker}) {
    absl::StatusOr<std::vector<persistence::HostRecord>> hosts = store_.LiveHosts(RoleName(role), absl::Now());
    if (!hosts.ok()) return hosts.status();
    std::vector<HashRing::Member> members;
    for (const auto& h : *hosts) members.push_back({h.host_id, h.rpc_address});
    auto ring = std::make_shared<const HashRing>(std::move(members));
    absl::MutexLock lock(&mu_);
    auto& current = rings_[role];
    if (current != nullptr && current->members() == ring->members()) continue;
    std::vector<std::string> addresses;
    for (const auto& m : ring->members()) addresses.push_back(m.address);
    spdlog::info("membership: {} hosts now [{}]", RoleName(role), absl::StrJoin(addresses, ", "));
    const bool first = current == nullptr;
    current = std::move(ring);
    if (!first) changed.push_back(role);
  }
  return changed;
}

void Membership::Loop() {
  absl::Time next_heartbeat = absl::Now() + options_.heartbeat_interval;
  absl::Time last_read = absl::Now();
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      auto wake = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_ || refresh_now_; };
      mu_.AwaitWithTimeout(absl::Condition(&wake), options_.refresh_interval);
      if (stopping_) return;
      refresh_now_ = false;
    }
    // Refresh() may be asked for by many calls at once: at most five
    // reads a second.
    absl::SleepFor(last_read + absl::Milliseconds(200) - absl::Now());
    last_read = absl::Now();
    if (absl::Now() >= next_heartbeat) {
      if (absl::Status s = Heartbeat(); !s.ok()) spdlog::warn("membership: heartbeat failed: {}", s.ToString());
      next_heartbeat = absl::Now() + options_.heartbeat_interval;
    }
    absl::StatusOr<std::vector<Role>> changed = ReadRings();
    if (!changed.ok()) {
      spdlog::warn("membership: could not read the live hosts: {}", changed.status().ToString());
      continue;
    }
    std::vector<std::function<void(Role)>> listeners;
    {
      absl::MutexLock lock(&mu_);
      listeners = listeners_;
    }
    for (Role role : *changed) {
      for (auto& listener : listeners) listener(role);
    }
  }
}

}  // namespace zaman::membership

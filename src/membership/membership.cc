#include "membership/membership.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

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

void Membership::Unreachable(const std::string& address) {
  absl::MutexLock lock(&mu_);
  if (unreachable_.count(address) > 0) return;
  to_probe_.insert(address);
  refresh_now_ = true;
}

namespace {

// Whether something accepts TCP connections at "ip:port" within `timeout`
// ("[v6]:port" too).
bool Listening(const std::string& address, absl::Duration timeout) {
  size_t colon = address.rfind(':');
  if (colon == std::string::npos) return false;
  std::string host = address.substr(0, colon);
  if (host.size() > 1 && host.front() == '[') host = host.substr(1, host.size() - 2);
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), address.substr(colon + 1).c_str(), &hints, &found) != 0) return false;
  bool listening = false;
  for (addrinfo* a = found; a != nullptr && !listening; a = a->ai_next) {
    int fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK, a->ai_protocol);
    if (fd < 0) continue;
    if (connect(fd, a->ai_addr, a->ai_addrlen) == 0) {
      listening = true;
    } else if (errno == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      int error = 0;
      socklen_t len = sizeof(error);
      listening = poll(&p, 1, static_cast<int>(absl::ToInt64Milliseconds(timeout))) == 1 &&
                  getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len) == 0 && error == 0;
    }
    close(fd);
  }
  freeaddrinfo(found);
  return listening;
}

}  // namespace

void Membership::ProbeUnreachable() {
  std::set<std::string> probe;
  {
    absl::MutexLock lock(&mu_);
    probe.swap(to_probe_);
  }
  for (const std::string& address : probe) {
    if (Listening(address, absl::Milliseconds(500))) continue;  // a passing failure: it is there
    absl::MutexLock lock(&mu_);
    auto seen = last_heartbeat_.find(address);
    unreachable_[address] = seen == last_heartbeat_.end() ? absl::InfinitePast() : seen->second;
    spdlog::warn("membership: nothing listens at {}; it leaves the rings until it heartbeats again", address);
  }
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
    absl::MutexLock lock(&mu_);
    std::vector<HashRing::Member> members;
    for (const auto& h : *hosts) {
      absl::Time& seen = last_heartbeat_[h.rpc_address];
      seen = std::max(seen, h.last_heartbeat);
      auto unreachable = unreachable_.find(h.rpc_address);
      if (unreachable != unreachable_.end()) {
        if (h.last_heartbeat <= unreachable->second) continue;  // still the row of the host that went
        unreachable_.erase(unreachable);  // back (or a new host on its address)
      }
      members.push_back({h.host_id, h.rpc_address});
    }
    auto ring = std::make_shared<const HashRing>(std::move(members));
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
    ProbeUnreachable();
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

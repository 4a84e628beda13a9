#pragma once

#include <map>
#include <memory>
#include <string>

#include <grpcpp/channel.h>

#include "absl/synchronization/mutex.h"

namespace zaman::rpc {

// One gRPC channel per peer address ("ip:port"), made on first use and
// kept: gRPC reconnects a channel by itself when its peer comes back.
// Thread-safe.
class ChannelPool {
 public:
  std::shared_ptr<grpc::Channel> Get(const std::string& address);

 private:
  absl::Mutex mu_;
  std::map<std::string, std::shared_ptr<grpc::Channel>> channels_ ABSL_GUARDED_BY(mu_);
};

}  // namespace zaman::rpc

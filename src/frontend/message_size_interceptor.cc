#include "frontend/message_size_interceptor.h"

#include <google/protobuf/message.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace zaman::frontend {
namespace {

class MessageSizeInterceptor final : public grpc::experimental::Interceptor {
 public:
  explicit MessageSizeInterceptor(size_t max_bytes) : max_bytes_(max_bytes) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    using grpc::experimental::InterceptionHookPoints;
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_MESSAGE)) {
      auto* message = static_cast<google::protobuf::Message*>(methods->GetRecvMessage());
      if (message != nullptr) {
        const size_t size = message->ByteSizeLong();
        if (size > max_bytes_) {
          received_bytes_ = size;
          message->Clear();
        }
      }
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS) && received_bytes_ > 0) {
      methods->ModifySendStatus(grpc::Status(
          grpc::StatusCode::RESOURCE_EXHAUSTED,
          absl::StrCat("grpc: received message larger than max (", received_bytes_, " vs. ", max_bytes_, ")")));
    }
    methods->Proceed();
  }

 private:
  const size_t max_bytes_;
  size_t received_bytes_ = 0;
};

}  // namespace

grpc::experimental::Interceptor* MessageSizeInterceptorFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  // Only the Temporal services' requests are protobuf messages (the health
  // service reads raw bytes).
  if (info->method() == nullptr || !absl::StartsWith(info->method(), "/temporal.api.")) return nullptr;
  return new MessageSizeInterceptor(max_request_bytes_);
}

}  // namespace zaman::frontend

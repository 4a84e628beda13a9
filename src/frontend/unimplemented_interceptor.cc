#include "frontend/unimplemented_interceptor.h"

#include <string>

#include "absl/strings/str_cat.h"

namespace zaman::frontend {
namespace {

class UnimplementedInterceptor final : public grpc::experimental::Interceptor {
 public:
  explicit UnimplementedInterceptor(std::string method) : method_(std::move(method)) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    using grpc::experimental::InterceptionHookPoints;
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      grpc::Status status = methods->GetSendStatus();
      if (status.error_code() == grpc::StatusCode::UNIMPLEMENTED && status.error_message().empty()) {
        methods->ModifySendStatus(grpc::Status(
            grpc::StatusCode::UNIMPLEMENTED,
            absl::StrCat("method ", method_, " is not implemented by this server")));
      }
    }
    methods->Proceed();
  }

 private:
  const std::string method_;
};

}  // namespace

grpc::experimental::Interceptor* UnimplementedInterceptorFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  return new UnimplementedInterceptor(info->method() != nullptr ? info->method() : "");
}

}  // namespace zaman::frontend

#include "frontend/metrics_interceptor.h"

#include <optional>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

#include "absl/strings/str_cat.h"
#include "temporal/api/operatorservice/v1/service.pb.h"
#include "temporal/api/workflowservice/v1/service.pb.h"

namespace zaman::frontend {
namespace {

using grpc::experimental::InterceptionHookPoints;

constexpr const char* kServices[] = {
    "temporal.api.workflowservice.v1.WorkflowService",
    "temporal.api.operatorservice.v1.OperatorService",
};

class MetricsInterceptor final : public grpc::experimental::Interceptor {
 public:
  explicit MetricsInterceptor(MetricsInterceptorFactory::Method& method) : method_(method) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_MESSAGE) && !timer_) {
      timer_.emplace(method_.metrics, NamespaceOf(methods->GetRecvMessage()));
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS) && timer_) {
      timer_->Finish(static_cast<absl::StatusCode>(methods->GetSendStatus().error_code()));
    }
    methods->Proceed();
  }

 private:
  absl::string_view NamespaceOf(const void* request) {
    if (request == nullptr || method_.namespace_field == nullptr) return {};
    const auto* message = static_cast<const google::protobuf::Message*>(request);
    return message->GetReflection()->GetStringReference(*message, method_.namespace_field, &scratch_);
  }

  MetricsInterceptorFactory::Method& method_;
  std::string scratch_;
  std::optional<metrics::RequestTimer> timer_;
};

}  // namespace

MetricsInterceptorFactory::MetricsInterceptorFactory() {
  // Nothing else refers to the services' descriptor files, so the linker
  // would leave them, and their registration with the generated pool, out.
  const void* volatile linked = &descriptor_table_temporal_2fapi_2fworkflowservice_2fv1_2fservice_2eproto;
  linked = &descriptor_table_temporal_2fapi_2foperatorservice_2fv1_2fservice_2eproto;
  (void)linked;
  const google::protobuf::DescriptorPool* pool = google::protobuf::DescriptorPool::generated_pool();
  for (const char* name : kServices) {
    const google::protobuf::ServiceDescriptor* service = pool->FindServiceByName(name);
    if (service == nullptr) continue;
    for (int i = 0; i < service->method_count(); ++i) {
      const google::protobuf::MethodDescriptor* method = service->method(i);
      const google::protobuf::FieldDescriptor* ns = method->input_type()->FindFieldByName("namespace");
      if (ns != nullptr && (ns->type() != google::protobuf::FieldDescriptor::TYPE_STRING || ns->is_repeated())) {
        ns = nullptr;
      }
      methods_.emplace(absl::StrCat("/", name, "/", method->name()),
                       std::unique_ptr<Method>(new Method{
                           metrics::OperationMetrics(metrics::Service::kFrontend, std::string(method->name())), ns}));
    }
  }
}

grpc::experimental::Interceptor* MetricsInterceptorFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  if (!metrics::Enabled() || info->method() == nullptr) return nullptr;
  auto it = methods_.find(absl::string_view(info->method()));
  return it == methods_.end() ? nullptr : new MetricsInterceptor(*it->second);
}

}  // namespace zaman::frontend

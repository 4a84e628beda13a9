#include "frontend/grpc_status.h"

#include "common/errors.h"
#include "google/rpc/status.pb.h"
#include "temporal/api/errordetails/v1/message.pb.h"

namespace zaman::frontend {

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  // absl and gRPC share the canonical code numbering.
  auto code = static_cast<grpc::StatusCode>(status.code());
  // An internal condition failure is a lost race: the caller should retry.
  if (errors::IsConditionFailed(status)) code = grpc::StatusCode::UNAVAILABLE;
  std::string message(status.message());
  std::optional<google::protobuf::Any> detail = errors::Detail(status);
  if (!detail && code == grpc::StatusCode::NOT_FOUND) {
    // Temporal's NOT_FOUND always carries NotFoundFailure; HTTP clients see it.
    detail.emplace();
    detail->PackFrom(temporal::api::errordetails::v1::NotFoundFailure());
  }
  if (!detail) return grpc::Status(code, message);
  google::rpc::Status rich;
  rich.set_code(static_cast<int>(code));
  rich.set_message(message);
  *rich.add_details() = *detail;
  return grpc::Status(code, message, rich.SerializeAsString());
}

}  // namespace zaman::frontend

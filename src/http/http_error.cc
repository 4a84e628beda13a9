#include "http/http_error.h"

#include <google/protobuf/util/json_util.h>

#include "google/rpc/status.pb.h"
#include "http/json.h"

namespace zaman::http {

int HttpStatusFromGrpc(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK: return 200;
    case grpc::StatusCode::CANCELLED: return 499;
    case grpc::StatusCode::INVALID_ARGUMENT: return 400;
    case grpc::StatusCode::DEADLINE_EXCEEDED: return 504;
    case grpc::StatusCode::NOT_FOUND: return 404;
    case grpc::StatusCode::ALREADY_EXISTS: return 409;
    case grpc::StatusCode::PERMISSION_DENIED: return 403;
    case grpc::StatusCode::UNAUTHENTICATED: return 401;
    case grpc::StatusCode::RESOURCE_EXHAUSTED: return 429;
    case grpc::StatusCode::FAILED_PRECONDITION: return 400;
    case grpc::StatusCode::ABORTED: return 409;
    case grpc::StatusCode::OUT_OF_RANGE: return 400;
    case grpc::StatusCode::UNIMPLEMENTED: return 501;
    case grpc::StatusCode::UNAVAILABLE: return 503;
    default: return 500;  // UNKNOWN, INTERNAL, DATA_LOSS
  }
}

std::string ErrorJson(const grpc::Status& status, bool pretty) {
  google::rpc::Status proto;
  if (status.error_details().empty() || !proto.ParseFromString(status.error_details())) {
    proto.Clear();
    proto.set_code(status.error_code());
    proto.set_message(status.error_message());
  }
  std::string out;
  google::protobuf::util::JsonPrintOptions options;
  if (google::protobuf::util::MessageToJsonString(proto, &out, options).ok()) {
    if (!pretty) return out;
    Json json = Json::parse(out, nullptr, /*allow_exceptions=*/false);
    if (!json.is_discarded()) return Dump(json, 2);
  } else {
    // A detail of a type this binary does not know: the code and message still.
    Json fallback = {{"code", static_cast<int>(status.error_code())}, {"message", status.error_message()}};
    out = Dump(fallback, pretty ? 2 : -1);
  }
  return out;
}

}  // namespace zaman::http

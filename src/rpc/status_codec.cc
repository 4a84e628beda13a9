#include "rpc/status_codec.h"

#include "zaman/rpc/v1/status.pb.h"

namespace zaman::rpc {

grpc::Status ToWire(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  zaman::rpc::v1::WireStatus wire;
  wire.set_code(static_cast<int32_t>(status.code()));
  wire.set_message(std::string(status.message()));
  status.ForEachPayload([&wire](absl::string_view key, const absl::Cord& value) {
    (*wire.mutable_payloads())[std::string(key)] = std::string(value);
  });
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()),
                      wire.SerializeAsString());
}

absl::Status FromWire(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  absl::Status result(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
  zaman::rpc::v1::WireStatus wire;
  if (!status.error_details().empty() && wire.ParseFromString(status.error_details())) {
    for (const auto& [key, value] : wire.payloads()) result.SetPayload(key, absl::Cord(value));
  }
  return result;
}

}  // namespace zaman::rpc

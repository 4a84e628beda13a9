#include "rpc/status_codec.h"

#include <gtest/gtest.h>

#include "common/errors.h"

namespace zaman::rpc {
namespace {

TEST(StatusCodecTest, ErrorKindsSurviveTheTrip) {
  absl::Status lost = FromWire(ToWire(errors::ShardOwnershipLost("shard 3 moved")));
  EXPECT_TRUE(errors::IsShardOwnershipLost(lost));
  EXPECT_EQ(lost.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(lost.message(), "shard 3 moved");
  EXPECT_TRUE(errors::IsStickyWorkerUnavailable(FromWire(ToWire(errors::StickyWorkerUnavailable("gone")))));
  EXPECT_TRUE(errors::IsConditionFailed(FromWire(ToWire(errors::ConditionFailed("raced")))));
}

TEST(StatusCodecTest, TemporalDetailsSurviveTheTrip) {
  absl::Status started = errors::WithWorkflowAlreadyStarted(absl::AlreadyExistsError("running"), "req-1", "run-1",
                                                            "run-0");
  absl::Status back = FromWire(ToWire(started));
  EXPECT_EQ(back.code(), absl::StatusCode::kAlreadyExists);
  ASSERT_TRUE(errors::Detail(back).has_value());
  EXPECT_EQ(errors::Detail(back)->SerializeAsString(), errors::Detail(started)->SerializeAsString());
}

TEST(StatusCodecTest, OkIsOkAndAPlainGrpcErrorKeepsItsCode) {
  EXPECT_TRUE(FromWire(ToWire(absl::OkStatus())).ok());
  absl::Status plain = FromWire(grpc::Status(grpc::StatusCode::UNAVAILABLE, "connection refused"));
  EXPECT_EQ(plain.code(), absl::StatusCode::kUnavailable);
  EXPECT_FALSE(errors::IsShardOwnershipLost(plain));
}

}  // namespace
}  // namespace zaman::rpc

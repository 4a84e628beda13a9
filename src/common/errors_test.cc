#include "common/errors.h"

#include <gtest/gtest.h>

#include "temporal/api/errordetails/v1/message.pb.h"

namespace zaman::errors {
namespace {

TEST(ErrorsTest, NamespaceNotFoundCarriesTheDetailSdksDecode) {
  absl::Status status = NamespaceNotFound("orders");
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(status.message(), "Namespace orders is not found.");
  auto detail = Detail(status);
  ASSERT_TRUE(detail.has_value());
  EXPECT_EQ(detail->type_url(),
            "type.googleapis.com/temporal.api.errordetails.v1.NamespaceNotFoundFailure");
  temporal::api::errordetails::v1::NamespaceNotFoundFailure failure;
  ASSERT_TRUE(detail->UnpackTo(&failure));
  EXPECT_EQ(failure.namespace_(), "orders");
}

TEST(ErrorsTest, NamespaceAlreadyExists) {
  absl::Status status = NamespaceAlreadyExists("orders");
  EXPECT_EQ(status.code(), absl::StatusCode::kAlreadyExists);
  auto detail = Detail(status);
  ASSERT_TRUE(detail.has_value());
  EXPECT_TRUE(detail->Is<temporal::api::errordetails::v1::NamespaceAlreadyExistsFailure>());
}

TEST(ErrorsTest, PlainKindsHaveNoDetail) {
  EXPECT_FALSE(Detail(InvalidArgument("bad")).has_value());
  EXPECT_FALSE(Detail(absl::OkStatus()).has_value());
}

TEST(ErrorsTest, ConditionFailedIsRecognisable) {
  EXPECT_TRUE(IsConditionFailed(ConditionFailed("version moved")));
  EXPECT_FALSE(IsConditionFailed(absl::AbortedError("other")));
}

}  // namespace
}  // namespace zaman::errors

#include "absl/strings/string_view.h"
#include "frontend/namespace_handler.h"

#include <gtest/gtest.h>

#include "common/errors.h"
#include "persistence/store.h"
#include "temporal/api/errordetails/v1/message.pb.h"

namespace zaman::frontend {
namespace {

namespace enums = ::temporal::api::enums::v1;

class NamespaceHandlerTest : public ::testing::Test {
 protected:
  NamespaceHandlerTest()
      : store_(*persistence::OpenStore({"memory", ""})),
        random_(1),
        handler_(store_->namespaces(), clock_, random_, "active") {}

  static wsv1::RegisterNamespaceRequest RegisterRequest(const std::string& name) {
    wsv1::RegisterNamespaceRequest request;
    request.set_namespace_(name);
    request.set_description("orders of the shop");
    request.set_owner_email("ops@example.com");
    (*request.mutable_data())["team"] = "payments";
    request.mutable_workflow_execution_retention_period()->set_seconds(72 * 3600);
    return request;
  }

  wsv1::DescribeNamespaceResponse Describe(const std::string& name) {
    wsv1::DescribeNamespaceRequest request;
    request.set_namespace_(name);
    auto response = handler_.Describe(request);
    EXPECT_TRUE(response.ok()) << response.status();
    return response.ok() ? *response : wsv1::DescribeNamespaceResponse();
  }

  FakeClock clock_;
  std::unique_ptr<persistence::Store> store_;
  Random random_;
  NamespaceHandler handler_;
};

TEST_F(NamespaceHandlerTest, RegisteredNamespaceDescribesAsRegistered) {
  ASSERT_TRUE(handler_.Register(RegisterRequest("orders")).ok());
  wsv1::DescribeNamespaceResponse described = Describe("orders");
  const auto& info = described.namespace_info();
  EXPECT_EQ(info.name(), "orders");
  EXPECT_EQ(info.state(), enums::NAMESPACE_STATE_REGISTERED);
  EXPECT_EQ(info.description(), "orders of the shop");
  EXPECT_EQ(info.owner_email(), "ops@example.com");
  EXPECT_EQ(info.data().at("team"), "payments");
  EXPECT_EQ(info.id().size(), 36u);
  EXPECT_EQ(info.limits().blob_size_limit_error(), 2 * 1024 * 1024);
  EXPECT_EQ(described.config().workflow_execution_retention_ttl().seconds(), 72 * 3600);
  EXPECT_EQ(described.config().history_archival_state(), enums::ARCHIVAL_STATE_DISABLED);
  EXPECT_EQ(described.replication_config().active_cluster_name(), "active");
  ASSERT_EQ(described.replication_config().clusters_size(), 1);
  EXPECT_FALSE(described.is_global_namespace());

  // The same namespace, looked up by its id.
  wsv1::DescribeNamespaceRequest by_id;
  by_id.set_id(info.id());
  auto again = handler_.Describe(by_id);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->namespace_info().name(), "orders");
}

TEST_F(NamespaceHandlerTest, DuplicateRegistrationIsAlreadyExistsWithDetail) {
  ASSERT_TRUE(handler_.Register(RegisterRequest("orders")).ok());
  auto second = handler_.Register(RegisterRequest("orders"));
  ASSERT_EQ(second.status().code(), absl::StatusCode::kAlreadyExists);
  auto detail = errors::Detail(second.status());
  ASSERT_TRUE(detail.has_value());
  EXPECT_TRUE(detail->Is<temporal::api::errordetails::v1::NamespaceAlreadyExistsFailure>());
}

TEST_F(NamespaceHandlerTest, UnknownNamespaceIsNotFoundWithDetail) {
  wsv1::DescribeNamespaceRequest request;
  request.set_namespace_("missing");
  auto response = handler_.Describe(request);
  ASSERT_EQ(response.status().code(), absl::StatusCode::kNotFound);
  auto detail = errors::Detail(response.status());
  ASSERT_TRUE(detail.has_value());
  temporal::api::errordetails::v1::NamespaceNotFoundFailure failure;
  ASSERT_TRUE(detail->UnpackTo(&failure));
  EXPECT_EQ(failure.namespace_(), "missing");
}

TEST_F(NamespaceHandlerTest, RejectsBadRegistrations) {
  auto expect_invalid = [&](wsv1::RegisterNamespaceRequest request, absl::string_view why) {
    auto response = handler_.Register(request);
    EXPECT_EQ(response.status().code(), absl::StatusCode::kInvalidArgument) << why;
  };
  expect_invalid(RegisterRequest(""), "empty name");
  expect_invalid(RegisterRequest(std::string(1001, 'a')), "name too long");
  expect_invalid(RegisterRequest("has space"), "space in name");
  expect_invalid(RegisterRequest("-leading"), "leading dash");
  expect_invalid(RegisterRequest("a/b"), "slash");
  auto no_retention = RegisterRequest("ok");
  no_retention.clear_workflow_execution_retention_period();
  expect_invalid(no_retention, "no retention");
  auto short_retention = RegisterRequest("ok");
  short_retention.mutable_workflow_execution_retention_period()->set_seconds(59 * 60);
  expect_invalid(short_retention, "retention under an hour");
  auto global = RegisterRequest("ok");
  global.set_is_global_namespace(true);
  expect_invalid(global, "global namespace");
  auto archival = RegisterRequest("ok");
  archival.set_history_archival_state(enums::ARCHIVAL_STATE_ENABLED);
  expect_invalid(archival, "archival");
  auto foreign = RegisterRequest("ok");
  foreign.set_active_cluster_name("elsewhere");
  expect_invalid(foreign, "unknown cluster");
  // None of them left a namespace behind.
  wsv1::DescribeNamespaceRequest describe;
  describe.set_namespace_("ok");
  EXPECT_EQ(handler_.Describe(describe).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(NamespaceHandlerTest, AcceptsDottedAndUnderscoredNames) {
  EXPECT_TRUE(handler_.Register(RegisterRequest("team_a.orders-v2")).ok());
}

TEST_F(NamespaceHandlerTest, UpdateChangesOnlyWhatItSets) {
  ASSERT_TRUE(handler_.Register(RegisterRequest("orders")).ok());
  wsv1::UpdateNamespaceRequest update;
  update.set_namespace_("orders");
  update.mutable_update_info()->set_description("new words");
  (*update.mutable_update_info()->mutable_data())["tier"] = "gold";
  update.mutable_config()->mutable_workflow_execution_retention_ttl()->set_seconds(24 * 3600);
  (*update.mutable_config()->mutable_bad_binaries()->mutable_binaries())["abc"].set_reason("crashes");
  auto updated = handler_.Update(update);
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(updated->namespace_info().description(), "new words");

  wsv1::DescribeNamespaceResponse described = Describe("orders");
  EXPECT_EQ(described.namespace_info().description(), "new words");
  EXPECT_EQ(described.namespace_info().owner_email(), "ops@example.com");
  EXPECT_EQ(described.namespace_info().data().at("team"), "payments");
  EXPECT_EQ(described.namespace_info().data().at("tier"), "gold");
  EXPECT_EQ(described.config().workflow_execution_retention_ttl().seconds(), 24 * 3600);
  const auto& bad = described.config().bad_binaries().binaries().at("abc");
  EXPECT_EQ(bad.reason(), "crashes");
  EXPECT_EQ(bad.create_time().seconds(), absl::ToUnixSeconds(clock_.Now()));

  wsv1::UpdateNamespaceRequest remove;
  remove.set_namespace_("orders");
  remove.set_delete_bad_binary("abc");
  ASSERT_TRUE(handler_.Update(remove).ok());
  EXPECT_TRUE(Describe("orders").config().bad_binaries().binaries().empty());
  EXPECT_EQ(handler_.Update(remove).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(NamespaceHandlerTest, UpdateOfUnknownNamespaceIsNotFound) {
  wsv1::UpdateNamespaceRequest update;
  update.set_namespace_("missing");
  update.mutable_update_info()->set_description("x");
  EXPECT_EQ(handler_.Update(update).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(NamespaceHandlerTest, ListPagesThroughEveryNamespace) {
  for (int i = 0; i < 7; ++i) ASSERT_TRUE(handler_.Register(RegisterRequest("ns" + std::to_string(i))).ok());
  std::vector<std::string> seen;
  wsv1::ListNamespacesRequest request;
  request.set_page_size(3);
  for (int pages = 0; pages < 10; ++pages) {
    auto page = handler_.List(request);
    ASSERT_TRUE(page.ok()) << page.status();
    for (const auto& ns : page->namespaces()) seen.push_back(ns.namespace_info().name());
    if (page->next_page_token().empty()) break;
    request.set_next_page_token(page->next_page_token());
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"ns0", "ns1", "ns2", "ns3", "ns4", "ns5", "ns6"}));
}

TEST_F(NamespaceHandlerTest, EnsureIsIdempotent) {
  ASSERT_TRUE(handler_.Ensure("default", absl::Hours(24)).ok());
  std::string id = Describe("default").namespace_info().id();
  ASSERT_TRUE(handler_.Ensure("default", absl::Hours(48)).ok());
  EXPECT_EQ(Describe("default").namespace_info().id(), id);
  EXPECT_EQ(Describe("default").config().workflow_execution_retention_ttl().seconds(), 24 * 3600);
}

}  // namespace
}  // namespace zaman::frontend

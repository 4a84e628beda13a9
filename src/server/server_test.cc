#include "server/server.h"

#include <filesystem>

#include <grpcpp/create_channel.h>
#include <gtest/gtest.h>

#include "temporal/api/workflowservice/v1/service.grpc.pb.h"

namespace zaman::server {
namespace {

namespace wsv1 = ::temporal::api::workflowservice::v1;

ServerConfig TestConfig(const std::string& db) {
  ServerConfig config;
  config.frontend.port = 0;
  config.persistence.sqlite_path = db;
  config.namespaces = {{"default", absl::Hours(24)}, {"orders", absl::Hours(72)}};
  config.shutdown_grace = absl::Seconds(1);
  return config;
}

absl::StatusOr<wsv1::DescribeNamespaceResponse> Describe(int port, const std::string& name) {
  auto stub = wsv1::WorkflowService::NewStub(
      grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  wsv1::DescribeNamespaceRequest request;
  request.set_namespace_(name);
  wsv1::DescribeNamespaceResponse response;
  grpc::Status status = stub->DescribeNamespace(&context, request, &response);
  if (!status.ok()) return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
  return response;
}

TEST(ServerTest, NamespacesAndClusterSurviveARestartOnTheSameFile) {
  auto dir = std::filesystem::temp_directory_path() / ("zaman-server-test-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::string db = (dir / "zaman.db").string();

  std::string first_id;
  {
    auto server = Server::Create(TestConfig(db));
    ASSERT_TRUE(server.ok()) << server.status();
    auto orders = Describe((*server)->frontend_port(), "orders");
    ASSERT_TRUE(orders.ok()) << orders.status();
    EXPECT_EQ(orders->config().workflow_execution_retention_ttl().seconds(), 72 * 3600);
    first_id = orders->namespace_info().id();
    (*server)->Shutdown();
  }
  {
    auto server = Server::Create(TestConfig(db));
    ASSERT_TRUE(server.ok()) << server.status();
    auto orders = Describe((*server)->frontend_port(), "orders");
    ASSERT_TRUE(orders.ok()) << orders.status();
    EXPECT_EQ(orders->namespace_info().id(), first_id);
  }
  std::filesystem::remove_all(dir);
}

TEST(ServerTest, InMemoryDatabaseNeedsNoFile) {
  auto server = Server::Create(TestConfig(":memory:"));
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_TRUE(Describe((*server)->frontend_port(), "default").ok());
}

TEST(ServerTest, PortInUseIsAClearError) {
  auto first = Server::Create(TestConfig(":memory:"));
  ASSERT_TRUE(first.ok());
  ServerConfig config = TestConfig(":memory:");
  config.frontend.port = (*first)->frontend_port();
  auto second = Server::Create(config);
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.status().message().find("cannot listen"), std::string::npos) << second.status();
}

}  // namespace
}  // namespace zaman::server

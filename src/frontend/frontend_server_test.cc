// The frontend over real gRPC on loopback: what an SDK sees on the wire.
#include "frontend/frontend_server.h"

#include <condition_variable>
#include <mutex>

#include <grpcpp/create_channel.h>
#include <grpcpp/generic/generic_stub.h>
#include <gtest/gtest.h>

#include "google/rpc/status.pb.h"
#include "history/history_engine.h"
#include "matching/matching_host.h"
#include "persistence/store.h"
#include "temporal/api/errordetails/v1/message.pb.h"

namespace zaman::frontend {
namespace {

class FrontendServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = *persistence::OpenStore({"memory", ""});
    handler_ = std::make_unique<NamespaceHandler>(store_->namespaces(), clock_, random_, "active");
    registry_ = std::make_unique<NamespaceRegistry>(store_->namespaces());
    matching_ = std::make_unique<matching::MatchingHost>(clock_, timers_);
    history_ = std::make_unique<history::HistoryEngine>(store_->executions(), store_->visibility(), clock_, timers_, random_, 2,
                                                        *matching_, pool_);
    ASSERT_TRUE(history_->Start().ok());
    ASSERT_TRUE(handler_->Ensure("default", absl::Hours(24)).ok());
    ServerIdentity identity{"9.9.9", {"active", "cluster-id-1", 4, clock_.Now()}, "memory"};
    FrontendOptions options;
    options.port = 0;
    WorkflowService::Backends backends{*handler_, *registry_, *history_, *matching_,
                                       pool_, clock_, timers_, random_, store_->visibility(), store_->namespaces()};
    auto server = FrontendServer::Start(options, backends, identity);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    channel_ = grpc::CreateChannel("127.0.0.1:" + std::to_string(server_->port()),
                                   grpc::InsecureChannelCredentials());
    stub_ = temporal::api::workflowservice::v1::WorkflowService::NewStub(channel_);
  }

  void TearDown() override {
    matching_->Shutdown();
    server_.reset();
    history_->Stop();
  }

  FakeClock clock_;
  TimerService timers_{clock_, false};
  Random random_{3};
  ThreadPool pool_{2};
  std::unique_ptr<persistence::Store> store_;
  std::unique_ptr<NamespaceHandler> handler_;
  std::unique_ptr<NamespaceRegistry> registry_;
  std::unique_ptr<matching::MatchingHost> matching_;
  std::unique_ptr<history::HistoryEngine> history_;
  std::unique_ptr<FrontendServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<temporal::api::workflowservice::v1::WorkflowService::Stub> stub_;
};

TEST_F(FrontendServerTest, GetSystemInfoReportsVersion) {
  grpc::ClientContext context;
  wsv1::GetSystemInfoResponse response;
  grpc::Status status = stub_->GetSystemInfo(&context, {}, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.server_version(), "9.9.9");
  EXPECT_TRUE(response.capabilities().internal_error_differentiation());
  EXPECT_FALSE(response.capabilities().supports_schedules());
}

TEST_F(FrontendServerTest, GetClusterInfoReportsStoredClusterFacts) {
  grpc::ClientContext context;
  wsv1::GetClusterInfoResponse response;
  ASSERT_TRUE(stub_->GetClusterInfo(&context, {}, &response).ok());
  EXPECT_EQ(response.cluster_id(), "cluster-id-1");
  EXPECT_EQ(response.cluster_name(), "active");
  EXPECT_EQ(response.history_shard_count(), 4);
  EXPECT_EQ(response.persistence_store(), "memory");
  EXPECT_EQ(response.supported_clients().at("temporal-go"), "<2.0.0");
}

TEST_F(FrontendServerTest, DescribeDefaultNamespace) {
  grpc::ClientContext context;
  wsv1::DescribeNamespaceRequest request;
  request.set_namespace_("default");
  wsv1::DescribeNamespaceResponse response;
  grpc::Status status = stub_->DescribeNamespace(&context, request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.namespace_info().name(), "default");
}

TEST_F(FrontendServerTest, UnknownNamespaceCarriesNamespaceNotFoundFailureOnTheWire) {
  grpc::ClientContext context;
  wsv1::DescribeNamespaceRequest request;
  request.set_namespace_("nope");
  wsv1::DescribeNamespaceResponse response;
  grpc::Status status = stub_->DescribeNamespace(&context, request, &response);
  ASSERT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(status.error_message(), "Namespace nope is not found.");
  google::rpc::Status rich;
  ASSERT_TRUE(rich.ParseFromString(status.error_details()));
  ASSERT_EQ(rich.details_size(), 1);
  temporal::api::errordetails::v1::NamespaceNotFoundFailure failure;
  ASSERT_TRUE(rich.details(0).UnpackTo(&failure));
  EXPECT_EQ(failure.namespace_(), "nope");
}

TEST_F(FrontendServerTest, UnimplementedMethodIsNamed) {
  grpc::ClientContext context;
  wsv1::ListWorkerDeploymentsRequest request;
  wsv1::ListWorkerDeploymentsResponse response;
  grpc::Status status = stub_->ListWorkerDeployments(&context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNIMPLEMENTED);
  EXPECT_NE(status.error_message().find("ListWorkerDeployments"), std::string::npos) << status.error_message();
}

TEST_F(FrontendServerTest, OperatorServiceMethodsAreNamedToo) {
  auto op = temporal::api::operatorservice::v1::OperatorService::NewStub(channel_);
  grpc::ClientContext context;
  temporal::api::operatorservice::v1::ListClustersResponse response;
  grpc::Status status = op->ListClusters(&context, {}, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNIMPLEMENTED);
  EXPECT_NE(status.error_message().find("ListClusters"), std::string::npos);
}

TEST_F(FrontendServerTest, HealthIsServingForTheWorkflowService) {
  grpc::ClientContext context;
  grpc::ByteBuffer request_bytes;
  // grpc.health.v1.HealthCheckRequest{service}: field 1, length-delimited.
  std::string service = "temporal.api.workflowservice.v1.WorkflowService";
  std::string encoded = std::string("\x0a", 1) + static_cast<char>(service.size()) + service;
  grpc::GenericStub generic(channel_);
  grpc::Slice slice(encoded);
  grpc::ByteBuffer request(&slice, 1);
  grpc::ByteBuffer reply;
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  grpc::Status status;
  generic.UnaryCall(&context, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &request, &reply,
                    [&](grpc::Status s) {
                      std::lock_guard<std::mutex> lock(mu);
                      status = s;
                      done = true;
                      cv.notify_one();
                    });
  std::unique_lock<std::mutex> lock(mu);
  cv.wait(lock, [&] { return done; });
  ASSERT_TRUE(status.ok()) << status.error_message();
  std::vector<grpc::Slice> slices;
  ASSERT_TRUE(reply.Dump(&slices).ok());
  std::string bytes;
  for (const auto& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  // HealthCheckResponse{status: SERVING (1)} is field 1 varint 1.
  EXPECT_EQ(bytes, std::string("\x08\x01", 2));
}

TEST_F(FrontendServerTest, ShutdownLetsNewCallsFail) {
  server_->Shutdown(absl::Seconds(1));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
  wsv1::GetSystemInfoResponse response;
  EXPECT_FALSE(stub_->GetSystemInfo(&context, {}, &response).ok());
}

}  // namespace
}  // namespace zaman::frontend

#include "http/gateway.h"

#include <grpcpp/server_builder.h>
#include <gtest/gtest.h>

#include "google/rpc/status.pb.h"
#include "http/json.h"
#include "temporal/api/errordetails/v1/message.pb.h"
#include "temporal/api/workflowservice/v1/service.grpc.pb.h"

namespace zaman::http {
namespace {

namespace wsv1 = temporal::api::workflowservice::v1;

// Answers StartWorkflowExecution with the first input payload's data as the
// run id, DescribeNamespace with NOT_FOUND and Temporal's error detail.
class FakeWorkflowService final : public wsv1::WorkflowService::Service {
 public:
  grpc::Status StartWorkflowExecution(grpc::ServerContext* context, const wsv1::StartWorkflowExecutionRequest* request,
                                      wsv1::StartWorkflowExecutionResponse* response) override {
    last_start = *request;
    for (const auto& [key, value] : context->client_metadata()) {
      metadata[std::string(key.data(), key.size())] = std::string(value.data(), value.size());
    }
    response->set_run_id(request->input().payloads(0).data());
    return grpc::Status::OK;
  }
  grpc::Status DescribeNamespace(grpc::ServerContext*, const wsv1::DescribeNamespaceRequest* request,
                                 wsv1::DescribeNamespaceResponse*) override {
    google::rpc::Status status;
    status.set_code(grpc::StatusCode::NOT_FOUND);
    status.set_message("Namespace " + request->namespace_() + " is not found.");
    status.add_details()->PackFrom(temporal::api::errordetails::v1::NamespaceNotFoundFailure());
    return grpc::Status(grpc::StatusCode::NOT_FOUND, status.message(), status.SerializeAsString());
  }

  wsv1::StartWorkflowExecutionRequest last_start;
  std::map<std::string, std::string> metadata;
};

class GatewayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
    gateway_ = std::make_unique<Gateway>(server_->InProcessChannel(grpc::ChannelArguments()), GatewayOptions());
  }
  void TearDown() override { server_->Shutdown(); }

  HttpReply Call(std::string verb, std::string target, std::string body = "",
                 std::multimap<std::string, std::string> headers = {}) {
    HttpCall call{std::move(verb), target, {}, std::move(headers), std::move(body)};
    size_t q = target.find('?');
    if (q != std::string::npos) {
      for (const std::string& param : {target.substr(q + 1)}) call.query.emplace(param, "");
    }
    return gateway_->Handle(call);
  }

  FakeWorkflowService service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<Gateway> gateway_;
};

TEST_F(GatewayTest, StartsAWorkflowFromShorthandJsonAndForwardsHeaders) {
  HttpReply reply = Call("POST", "/api/v1/namespaces/default/workflows/order-1",
                         R"({"workflowType":{"name":"Order"},"taskQueue":{"name":"q"},"input":[{"item":"book"}]})",
                         {{"authorization", "Bearer t"}, {"grpc-metadata-tenant", "acme"}, {"cookie", "x=1"}});
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, R"({"runId":"{\"item\":\"book\"}"})");
  EXPECT_EQ(service_.last_start.namespace_(), "default");
  EXPECT_EQ(service_.last_start.workflow_id(), "order-1");
  EXPECT_EQ(service_.metadata["authorization"], "Bearer t");
  EXPECT_EQ(service_.metadata["tenant"], "acme");
  EXPECT_EQ(service_.metadata["client-name"], "temporal-server-http");
  EXPECT_EQ(service_.metadata.count("cookie"), 0u);
}

TEST_F(GatewayTest, NoShorthandContentTypeReadsFullPayloads) {
  HttpReply reply = Call("POST", "/namespaces/default/workflows/w",
                         R"({"input":{"payloads":[{"metadata":{"encoding":"YmluYXJ5L3BsYWlu"},"data":"AAE="}]}})",
                         {{"content-type", "application/json+no-payload-shorthand"}});
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(service_.last_start.input().payloads(0).metadata().at("encoding"), "binary/plain");
  EXPECT_EQ(service_.last_start.input().payloads(0).data(), std::string("\0\1", 2));
}

TEST_F(GatewayTest, ErrorsAreStatusJsonWithTheMappedHttpCode) {
  HttpReply missing = Call("GET", "/cluster/namespaces/nope");
  EXPECT_EQ(missing.status, 404);
  Json body = Json::parse(missing.body);
  EXPECT_EQ(body["code"], 5);
  EXPECT_EQ(body["message"], "Namespace nope is not found.");
  EXPECT_EQ(body["details"][0]["@type"], "type.googleapis.com/temporal.api.errordetails.v1.NamespaceNotFoundFailure");

  EXPECT_EQ(Call("GET", "/namespaces/ns/workflows").status, 501);  // the fake does not implement it
  EXPECT_EQ(Call("GET", "/no/such/route").status, 404);
  EXPECT_EQ(Call("PATCH", "/namespaces/ns/workflows").status, 405);
  HttpReply bad = Call("POST", "/namespaces/ns/workflows/w", "{not json");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(Json::parse(bad.body)["code"], 3);
}

TEST_F(GatewayTest, PrettyIndentsTheReply) {
  HttpReply reply = Call("GET", "/api/v1/namespaces/nope?pretty");
  EXPECT_NE(reply.body.find("\n  \"code\": 5"), std::string::npos) << reply.body;
}

}  // namespace
}  // namespace zaman::http

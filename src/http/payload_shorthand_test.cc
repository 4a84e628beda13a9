#include "http/payload_shorthand.h"

#include <gtest/gtest.h>

#include "http/json_codec.h"
#include "http/request_binding.h"
#include "temporal/api/history/v1/message.pb.h"
#include "temporal/api/workflowservice/v1/service.pb.h"

namespace zaman::http {
namespace {

using temporal::api::common::v1::Payload;

Payload JsonPlain(const std::string& data) {
  Payload payload;
  (*payload.mutable_metadata())["encoding"] = "json/plain";
  payload.set_data(data);
  return payload;
}

TEST(PayloadShorthandTest, ReadableEncodingsBecomeValues) {
  EXPECT_EQ(PayloadShorthand(JsonPlain(R"({"a":[1,2]})"))->dump(), R"({"a":[1,2]})");

  Payload null;
  (*null.mutable_metadata())["encoding"] = "binary/null";
  EXPECT_TRUE(PayloadShorthand(null)->is_null());

  Payload proto;
  (*proto.mutable_metadata())["encoding"] = "json/protobuf";
  (*proto.mutable_metadata())["messageType"] = "my.Type";
  proto.set_data(R"({"x":1})");
  EXPECT_EQ(PayloadShorthand(proto)->dump(), R"({"x":1,"_protoMessageType":"my.Type"})");
}

TEST(PayloadShorthandTest, OthersKeepTheirFullForm) {
  Payload binary;
  (*binary.mutable_metadata())["encoding"] = "binary/plain";
  binary.set_data("\x01\x02");
  EXPECT_FALSE(PayloadShorthand(binary));

  Payload extra = JsonPlain("1");
  (*extra.mutable_metadata())["encodingDetail"] = "x";
  EXPECT_FALSE(PayloadShorthand(extra));
  EXPECT_FALSE(PayloadShorthand(JsonPlain("not json")));
}

TEST(PayloadShorthandTest, FullPayloadJsonReadsShorthandAndKeepsFullForms) {
  Json full = FullPayloadJson(Json::parse(R"({"name":"x"})"));
  EXPECT_EQ(full["metadata"]["encoding"], "anNvbi9wbGFpbg==");  // json/plain
  EXPECT_EQ(full["data"], "eyJuYW1lIjoieCJ9");                   // {"name":"x"}
  EXPECT_EQ(FullPayloadJson(full), full);
  EXPECT_EQ(FullPayloadJson(nullptr)["metadata"]["encoding"], "YmluYXJ5L251bGw=");  // binary/null
}

TEST(PayloadShorthandTest, RepliesUseShorthandUnlessTurnedOff) {
  temporal::api::history::v1::HistoryEvent event;
  event.set_event_id(1);
  auto* attributes = event.mutable_workflow_execution_started_event_attributes();
  *attributes->mutable_input()->add_payloads() = JsonPlain(R"("hello")");
  *attributes->mutable_input()->add_payloads() = JsonPlain("42");
  (*attributes->mutable_memo()->mutable_fields())["k"] = JsonPlain("true");

  absl::StatusOr<std::string> short_form = MessageToJson(event, JsonStyle{true, false});
  ASSERT_TRUE(short_form.ok());
  EXPECT_EQ(*short_form,
            R"({"eventId":"1","workflowExecutionStartedEventAttributes":{"input":["hello",42],"memo":{"fields":{"k":true}}}})");

  absl::StatusOr<std::string> full = MessageToJson(event, JsonStyle{false, false});
  ASSERT_TRUE(full.ok());
  EXPECT_NE(full->find(R"("input":{"payloads":[{"metadata":{"encoding":"anNvbi9wbGFpbg=="},"data":"ImhlbGxvIg=="})"),
            std::string::npos)
      << *full;
}

TEST(PayloadShorthandTest, RequestsAcceptShorthandAndShortEnumNames) {
  RouteTable table(TemporalPublicServices());
  RouteMatch match = table.Match("POST", "/namespaces/ns/workflows/wf");
  ASSERT_NE(match.route, nullptr);
  temporal::api::workflowservice::v1::StartWorkflowExecutionRequest request;
  absl::Status decoded = DecodeRequest(
      match, R"({"workflowType":{"name":"T"},"input":[{"n":1},null],"workflowIdReusePolicy":"AllowDuplicate"})", {},
      /*payload_shorthand=*/true, &request);
  ASSERT_TRUE(decoded.ok()) << decoded;
  EXPECT_EQ(request.namespace_(), "ns");
  EXPECT_EQ(request.workflow_id(), "wf");
  ASSERT_EQ(request.input().payloads_size(), 2);
  EXPECT_EQ(request.input().payloads(0).data(), R"({"n":1})");
  EXPECT_EQ(request.input().payloads(0).metadata().at("encoding"), "json/plain");
  EXPECT_EQ(request.input().payloads(1).metadata().at("encoding"), "binary/null");
  EXPECT_EQ(request.workflow_id_reuse_policy(), temporal::api::enums::v1::WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE);
}

TEST(PayloadShorthandTest, BadRequestsAreInvalidArgument) {
  RouteTable table(TemporalPublicServices());
  RouteMatch start = table.Match("POST", "/namespaces/ns/workflows/wf");
  temporal::api::workflowservice::v1::StartWorkflowExecutionRequest request;
  EXPECT_TRUE(absl::IsInvalidArgument(DecodeRequest(start, "{nope", {}, true, &request)));
  EXPECT_TRUE(absl::IsInvalidArgument(DecodeRequest(start, "[1]", {}, true, &request)));
  EXPECT_TRUE(absl::IsInvalidArgument(DecodeRequest(start, R"({"noSuchField":1})", {}, true, &request)));
  EXPECT_TRUE(absl::IsInvalidArgument(DecodeRequest(start, R"({"workflowType":7})", {}, true, &request)));
  std::string deep;
  for (int i = 0; i < 100000; ++i) deep += R"({"cause":)";
  deep += "{}" + std::string(100000, '}');
  EXPECT_TRUE(absl::IsInvalidArgument(DecodeRequest(start, R"({"input":[)" + deep + "]}", {}, true, &request)));

  RouteMatch list = table.Match("GET", "/namespaces/ns/workflows");
  temporal::api::workflowservice::v1::ListWorkflowExecutionsRequest list_request;
  ASSERT_TRUE(DecodeRequest(list, "", {{"pageSize", "7"}, {"query", "WorkflowType='T'"}, {"pretty", ""}}, true,
                            &list_request)
                  .ok());
  EXPECT_EQ(list_request.page_size(), 7);
  EXPECT_EQ(list_request.query(), "WorkflowType='T'");
  EXPECT_TRUE(absl::IsInvalidArgument(DecodeRequest(list, "", {{"page_size", "seven"}}, true, &list_request)));
}

}  // namespace
}  // namespace zaman::http

#include "http/route_table.h"

#include <gtest/gtest.h>


namespace zaman::http {
namespace {

class RouteTableTest : public ::testing::Test {
 protected:
  RouteTable table_{TemporalPublicServices()};
};

TEST_F(RouteTableTest, ReadsEveryBindingFromTheAnnotations) {
  // Each annotated RPC has its primary binding and an /api/v1 twin.
  int api_v1 = 0;
  for (const Route& route : table_.routes()) api_v1 += route.pattern.rfind("/api/v1/", 0) == 0;
  EXPECT_GT(api_v1, 90);
  EXPECT_GT(table_.routes().size(), 180u);
}

TEST_F(RouteTableTest, BindsNestedPathVariablesPercentDecoded) {
  RouteMatch match = table_.Match("GET", "/namespaces/default/workflows/order%2F42");
  ASSERT_NE(match.route, nullptr);
  EXPECT_EQ(match.route->method->name(), "DescribeWorkflowExecution");
  EXPECT_EQ(match.path_values["namespace"], "default");
  EXPECT_EQ(match.path_values["execution.workflow_id"], "order/42");
  EXPECT_FALSE(match.route->body_is_request);
}

TEST_F(RouteTableTest, PrefersLiteralsAndMatchesAdditionalBindings) {
  RouteMatch signal = table_.Match("POST", "/api/v1/namespaces/ns/workflows/wf/signal/go");
  ASSERT_NE(signal.route, nullptr);
  EXPECT_EQ(signal.route->method->name(), "SignalWorkflowExecution");
  EXPECT_EQ(signal.path_values["signal_name"], "go");
  EXPECT_TRUE(signal.route->body_is_request);

  RouteMatch list = table_.Match("GET", "/namespaces/ns/workflows");
  ASSERT_NE(list.route, nullptr);
  EXPECT_EQ(list.route->method->name(), "ListWorkflowExecutions");

  RouteMatch cluster = table_.Match("GET", "/api/v1/namespaces/ns/search-attributes");
  ASSERT_NE(cluster.route, nullptr);
  EXPECT_EQ(cluster.route->method->service()->name(), "OperatorService");
}

TEST_F(RouteTableTest, TellsAnUnknownPathFromAWrongVerb) {
  bool path_known = true;
  EXPECT_EQ(table_.Match("GET", "/no/such/thing", &path_known).route, nullptr);
  EXPECT_FALSE(path_known);
  EXPECT_EQ(table_.Match("PATCH", "/namespaces/ns/workflows", &path_known).route, nullptr);
  EXPECT_TRUE(path_known);
  EXPECT_EQ(table_.Match("GET", "/namespaces/bad%zz/workflows", &path_known).route, nullptr);
}

TEST(PercentDecodeTest, RejectsMalformedEscapes) {
  std::string out;
  EXPECT_TRUE(PercentDecode("a%20b%2f", &out));
  EXPECT_EQ(out, "a b/");
  EXPECT_FALSE(PercentDecode("50%", &out));
  EXPECT_FALSE(PercentDecode("%4", &out));
  EXPECT_FALSE(PercentDecode("%g0", &out));
}

}  // namespace
}  // namespace zaman::http

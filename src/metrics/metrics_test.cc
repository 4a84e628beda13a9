#include "metrics/metrics.h"

#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>

#include <regex>

namespace zaman::metrics {
namespace {

std::string Exposition() {
  return prometheus::TextSerializer().Serialize(Registry().Collect());
}

// The value of the one sample line that starts with `series` (name and labels).
double Sample(const std::string& series) {
  std::string text = Exposition();
  size_t at = text.find(series + " ");
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + series.size() + 1));
}

TEST(Metrics, ARequestCountsOnceWithTemporalsLabels) {
  SetEnabled(true);
  OperationMetrics start(Service::kFrontend, "StartWorkflowExecution");
  const std::string series =
      R"(service_requests{namespace="ns-a",operation="StartWorkflowExecution",service_name="frontend"})";
  { RequestTimer timer(start, "ns-a"); }
  EXPECT_EQ(Sample(series), 1);
  { RequestTimer timer(start, "ns-a"); }
  EXPECT_EQ(Sample(series), 2);
  EXPECT_EQ(Sample(R"(service_latency_count{namespace="ns-a",operation="StartWorkflowExecution",service_name="frontend"})"), 2);
  EXPECT_EQ(Sample(R"(service_pending_requests{namespace="ns-a",operation="StartWorkflowExecution",service_name="frontend"})"), 0);
}

TEST(Metrics, ExpectedErrorsAreNotFailures) {
  SetEnabled(true);
  OperationMetrics describe(Service::kFrontend, "DescribeWorkflowExecution");
  {
    RequestTimer timer(describe, "");
    timer.Finish(absl::StatusCode::kNotFound);
  }
  {
    RequestTimer timer(describe, "");
    timer.Finish(absl::StatusCode::kInternal);
  }
  const std::string labels = R"({namespace="_unknown_",operation="DescribeWorkflowExecution",service_name="frontend"})";
  EXPECT_EQ(Sample("service_requests" + labels), 2);
  EXPECT_EQ(Sample("service_errors" + labels), 1);
  EXPECT_EQ(Sample("service_errors_entity_not_found" + labels), 1);
  EXPECT_EQ(Sample(R"(service_error_with_type{error_type="serviceerror.NotFound",namespace="_unknown_",operation="DescribeWorkflowExecution",service_name="frontend"})"), 1);
}

TEST(Metrics, NothingIsCountedWhileDisabled) {
  SetEnabled(false);
  OperationMetrics poll(Service::kFrontend, "PollActivityTaskQueue");
  { RequestTimer timer(poll, "ns-b"); }
  SetEnabled(true);
  EXPECT_EQ(Sample(R"(service_requests{namespace="ns-b",operation="PollActivityTaskQueue",service_name="frontend"})"), -1);
}

TEST(Metrics, HistogramsAreInSeconds) {
  SetEnabled(true);
  StoreOperationMetrics op(Service::kHistory, "GetWorkflowExecution");
  absl::Status s = op.Record([] { return absl::OkStatus(); });
  EXPECT_TRUE(s.ok());
  std::string text = Exposition();
  EXPECT_NE(text.find(R"(persistence_latency_bucket{operation="GetWorkflowExecution",service_name="history",le="0.001"})"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("_total"), std::string::npos) << "Temporal's counters have no _total suffix";
}

TEST(Metrics, WorkflowOutcomesUseTheNamespaceName) {
  SetEnabled(true);
  RememberNamespace("id-1", "orders");
  WorkflowOutcomeMetrics::ForNamespaceId("id-1").Closed(WorkflowOutcomeMetrics::Outcome::kSuccess, 2048, 11);
  EXPECT_EQ(Sample(R"(workflow_success{namespace="orders",namespace_state="active",operation="CompletionStats",service_name="history"})"), 1);
  EXPECT_EQ(Sample(R"(history_count_sum{namespace="orders",operation="ExecutionStats",service_name="history"})"), 11);
}

TEST(Metrics, EndpointServesOnAFreePort) {
  absl::StatusOr<std::unique_ptr<Endpoint>> endpoint = Endpoint::Start("127.0.0.1:0");
  ASSERT_TRUE(endpoint.ok()) << endpoint.status();
  EXPECT_GT((*endpoint)->port(), 0);
}

}  // namespace
}  // namespace zaman::metrics

// What counting costs on the hot path (bench/README.md, "The cost of
// metrics"): one request's series, a store call's, a match's; and one
// scrape of a registry holding a busy server's series.
#include <benchmark/benchmark.h>
#include <prometheus/text_serializer.h>

#include "metrics/metrics.h"

namespace zaman::metrics {
namespace {

void BM_Request(benchmark::State& state) {
  SetEnabled(state.range(0) != 0);
  OperationMetrics op(Service::kFrontend, "StartWorkflowExecution");
  for (auto _ : state) {
    RequestTimer timer(op, "default");
  }
}
BENCHMARK(BM_Request)->Arg(0)->Arg(1)->ArgName("enabled");

void BM_StoreCall(benchmark::State& state) {
  SetEnabled(true);
  StoreOperationMetrics op(Service::kHistory, "GetWorkflowExecution");
  for (auto _ : state) {
    absl::Status s = op.Record([] { return absl::OkStatus(); });
    benchmark::DoNotOptimize(s);
  }
}
BENCHMARK(BM_StoreCall);

void BM_Match(benchmark::State& state) {
  SetEnabled(true);
  TaskQueueMetrics queue("ns-id", "bench", /*sticky=*/false, /*activity=*/true);
  for (auto _ : state) {
    queue.TaskMatched(/*sync=*/true, absl::Milliseconds(1));
    queue.BacklogIs(0);
  }
}
BENCHMARK(BM_Match);

// A scrape with every WorkflowService operation in 4 namespaces and 16 task
// queues: about the series of a busy server.
void BM_Scrape(benchmark::State& state) {
  SetEnabled(true);
  std::vector<std::unique_ptr<OperationMetrics>> ops;
  for (int i = 0; i < 80; ++i) {
    ops.push_back(std::make_unique<OperationMetrics>(Service::kFrontend, "Operation" + std::to_string(i)));
    for (const char* ns : {"a", "b", "c", "d"}) RequestTimer timer(*ops.back(), ns);
  }
  std::vector<std::unique_ptr<TaskQueueMetrics>> queues;
  for (int i = 0; i < 16; ++i) {
    queues.push_back(std::make_unique<TaskQueueMetrics>("ns", "queue" + std::to_string(i), false, i % 2 == 1));
  }
  size_t bytes = 0;
  for (auto _ : state) {
    std::string text = prometheus::TextSerializer().Serialize(Registry().Collect());
    bytes = text.size();
    benchmark::DoNotOptimize(text);
  }
  state.counters["bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_Scrape)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace zaman::metrics

BENCHMARK_MAIN();

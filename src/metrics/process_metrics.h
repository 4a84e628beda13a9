#pragma once

// Private to the metrics module: the process's own resources, read from
// /proc at each scrape (the names the Prometheus clients of Go and Python use).

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <vector>

namespace zaman::metrics::internal {

class ProcessMetrics final : public prometheus::Collectable {
 public:
  std::vector<prometheus::MetricFamily> Collect() const override;
};

}  // namespace zaman::metrics::internal

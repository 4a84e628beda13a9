#pragma once

// Private to the metrics module: the metric families, each registered once.

#include <prometheus/family.h>

#include "metrics/metrics.h"

namespace zaman::metrics::internal {

prometheus::Family<Counter>& CounterFamily(const std::string& name, const std::string& help);
prometheus::Family<Gauge>& GaugeFamily(const std::string& name, const std::string& help);
prometheus::Family<Histogram>& HistogramFamily(const std::string& name, const std::string& help);

}  // namespace zaman::metrics::internal

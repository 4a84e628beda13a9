#include "metrics/families.h"

#include <map>

namespace zaman::metrics::internal {
namespace {

// Families by name: a family is registered on its first use, whichever
// module uses it first.
template <typename T, typename Builder>
prometheus::Family<T>& FamilyOf(const std::string& name, const std::string& help, Builder build) {
  static absl::Mutex mu;
  static auto* families = new std::map<std::string, prometheus::Family<T>*>;
  absl::MutexLock lock(&mu);
  auto& family = (*families)[name];
  if (family == nullptr) family = &build().Name(name).Help(help).Register(Registry());
  return *family;
}

}  // namespace

prometheus::Family<Counter>& CounterFamily(const std::string& name, const std::string& help) {
  return FamilyOf<Counter>(name, help, [] { return prometheus::BuildCounter(); });
}

prometheus::Family<Gauge>& GaugeFamily(const std::string& name, const std::string& help) {
  return FamilyOf<Gauge>(name, help, [] { return prometheus::BuildGauge(); });
}

prometheus::Family<Histogram>& HistogramFamily(const std::string& name, const std::string& help) {
  return FamilyOf<Histogram>(name, help, [] { return prometheus::BuildHistogram(); });
}

}  // namespace zaman::metrics::internal

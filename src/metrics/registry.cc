#include "metrics/families.h"

namespace zaman::metrics {
namespace {

struct NamespaceNames {
  absl::Mutex mu;
  absl::flat_hash_map<std::string, std::string> by_id ABSL_GUARDED_BY(mu);
};

NamespaceNames& Names() {
  static auto* names = new NamespaceNames;
  return *names;
}

// 1-2-5 steps, as Temporal's histograms have them.
Histogram::BucketBoundaries OneTwoFive(double from, double to) {
  Histogram::BucketBoundaries bounds;
  for (double decade = from; decade <= to; decade *= 10) {
    for (double step : {1.0, 2.0, 5.0}) {
      if (decade * step <= to) bounds.push_back(decade * step);
    }
  }
  return bounds;
}

}  // namespace

void SetEnabled(bool enabled) { internal::enabled.store(enabled, std::memory_order_relaxed); }

prometheus::Registry& Registry() {
  // Never destroyed: series are counted from threads that may outlive main.
  static auto* registry = new prometheus::Registry;
  return *registry;
}

const std::string& ServiceName(Service service) {
  static const std::string names[] = {"frontend", "history", "matching", "worker"};
  return names[static_cast<int>(service)];
}

const Histogram::BucketBoundaries& SecondsBuckets() {
  static const auto* bounds = new Histogram::BucketBoundaries(OneTwoFive(0.001, 100));
  return *bounds;
}

const Histogram::BucketBoundaries& BytesBuckets() {
  static const auto* bounds = new Histogram::BucketBoundaries([] {
    Histogram::BucketBoundaries b;
    for (double bytes = 1024; bytes <= 64.0 * 1024 * 1024; bytes *= 4) b.push_back(bytes);
    return b;
  }());
  return *bounds;
}

const Histogram::BucketBoundaries& CountBuckets() {
  static const auto* bounds = new Histogram::BucketBoundaries(OneTwoFive(1, 100000));
  return *bounds;
}

void RememberNamespace(absl::string_view id, absl::string_view name) {
  NamespaceNames& names = Names();
  absl::MutexLock lock(&names.mu);
  names.by_id.insert_or_assign(std::string(id), std::string(name));
}

std::string NamespaceName(absl::string_view id) {
  NamespaceNames& names = Names();
  absl::MutexLock lock(&names.mu);
  auto it = names.by_id.find(id);
  return it == names.by_id.end() ? std::string(id) : it->second;
}

void CountRestart(Service service) {
  if (Enabled()) internal::CounterFamily("restarts", "Starts of a role.").Add({{"service_name", ServiceName(service)}}).Increment();
}

}  // namespace zaman::metrics

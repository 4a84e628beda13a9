#include <prometheus/exposer.h>

#include "absl/strings/str_cat.h"
#include "metrics/metrics.h"
#include "metrics/process_metrics.h"

namespace zaman::metrics {

struct Endpoint::Impl {
  std::unique_ptr<prometheus::Exposer> exposer;
  std::shared_ptr<internal::ProcessMetrics> process = std::make_shared<internal::ProcessMetrics>();
  std::shared_ptr<prometheus::Registry> registry;
};

absl::StatusOr<std::unique_ptr<Endpoint>> Endpoint::Start(const std::string& listen_address) {
  auto impl = std::make_unique<Impl>();
  try {
    impl->exposer = std::make_unique<prometheus::Exposer>(listen_address, /*num_threads=*/1);
  } catch (const std::exception& e) {
    return absl::UnavailableError(absl::StrCat("metrics: cannot listen on ", listen_address, ": ", e.what()));
  }
  // The registry lives for the whole process; the exposer holds it weakly.
  impl->registry = std::shared_ptr<prometheus::Registry>(&Registry(), [](prometheus::Registry*) {});
  impl->exposer->RegisterCollectable(impl->registry);
  impl->exposer->RegisterCollectable(impl->process);
  std::vector<int> ports = impl->exposer->GetListeningPorts();
  int port = ports.empty() ? 0 : ports.front();
  return std::unique_ptr<Endpoint>(new Endpoint(std::move(impl), port));
}

Endpoint::Endpoint(std::unique_ptr<Impl> impl, int port) : impl_(std::move(impl)), port_(port) {}

Endpoint::~Endpoint() = default;

}  // namespace zaman::metrics

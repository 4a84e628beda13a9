#include "metrics/process_metrics.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace zaman::metrics::internal {
namespace {

prometheus::MetricFamily One(std::string name, std::string help, prometheus::MetricType type, double value) {
  prometheus::ClientMetric metric;
  if (type == prometheus::MetricType::Counter) {
    metric.counter.value = value;
  } else {
    metric.gauge.value = value;
  }
  return prometheus::MetricFamily{std::move(name), std::move(help), type, {metric}};
}

// The fields of /proc/self/stat after the command name, numbered from 3 as
// proc(5) numbers them.
std::vector<std::string> StatFields() {
  std::ifstream in("/proc/self/stat");
  std::string line;
  std::getline(in, line);
  std::vector<std::string> fields;
  size_t close = line.rfind(')');
  if (close == std::string::npos) return fields;
  std::istringstream rest(line.substr(close + 2));
  for (std::string field; rest >> field;) fields.push_back(field);
  return fields;
}

double Field(const std::vector<std::string>& fields, size_t number) {
  size_t index = number - 3;
  return index < fields.size() ? std::stod(fields[index]) : 0;
}

double OpenFds() {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return 0;
  double n = 0;
  while (dirent* entry = readdir(dir)) {
    if (entry->d_name[0] != '.') ++n;
  }
  closedir(dir);
  return n - 1;  // the directory stream's own descriptor
}

double BootTime() {
  std::ifstream in("/proc/stat");
  for (std::string key; in >> key;) {
    if (key == "btime") {
      double btime = 0;
      in >> btime;
      return btime;
    }
  }
  return 0;
}

}  // namespace

std::vector<prometheus::MetricFamily> ProcessMetrics::Collect() const {
  using prometheus::MetricType;
  static const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  static const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
  static const double boot = BootTime();
  std::vector<std::string> stat = StatFields();
  rlimit fds{};
  getrlimit(RLIMIT_NOFILE, &fds);
  return {
      One("process_cpu_seconds_total", "User and system CPU time spent, in seconds.", MetricType::Counter,
          (Field(stat, 14) + Field(stat, 15)) / ticks),
      One("process_resident_memory_bytes", "Resident memory size, in bytes.", MetricType::Gauge,
          Field(stat, 24) * page),
      One("process_virtual_memory_bytes", "Virtual memory size, in bytes.", MetricType::Gauge, Field(stat, 23)),
      One("process_threads", "Threads of the process.", MetricType::Gauge, Field(stat, 20)),
      One("process_open_fds", "Open file descriptors.", MetricType::Gauge, OpenFds()),
      One("process_max_fds", "The limit of open file descriptors.", MetricType::Gauge,
          static_cast<double>(fds.rlim_cur)),
      One("process_start_time_seconds", "Start of the process, in seconds since the Unix epoch.", MetricType::Gauge,
          boot + Field(stat, 22) / ticks),
  };
}

}  // namespace zaman::metrics::internal

#pragma once

#include <string>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace zaman::matching {

// A cluster splits each normal task queue into partitions, each owned by
// a matching host of its own (Temporal's naming: partition 0 is the queue's
// own name, partition n > 0 is "/_sys/<name>/<n>"). Sticky queues have one.
inline constexpr int kDefaultPartitions = 4;
inline constexpr absl::string_view kPartitionPrefix = "/_sys/";

inline std::string PartitionName(absl::string_view name, int partition) {
  if (partition == 0) return std::string(name);
  return absl::StrCat(kPartitionPrefix, name, "/", partition);
}

// The queue's own name and the partition number of a partition's name.
inline std::pair<std::string, int> ParsePartition(absl::string_view name) {
  if (!absl::StartsWith(name, kPartitionPrefix)) return {std::string(name), 0};
  absl::string_view rest = name.substr(kPartitionPrefix.size());
  size_t slash = rest.rfind('/');
  int partition = 0;
  if (slash == absl::string_view::npos || !absl::SimpleAtoi(rest.substr(slash + 1), &partition) || partition <= 0) {
    return {std::string(name), 0};
  }
  return {std::string(rest.substr(0, slash)), partition};
}

}  // namespace zaman::matching

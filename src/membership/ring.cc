#include "membership/ring.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace zaman::membership {
namespace {

// FNV-1a, then a 64-bit finalizer (splitmix) so that nearby keys ("1",
// "2") land far apart. Fixed: every host must agree.
uint64_t Hash(const std::string& s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ull;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebull;
  h ^= h >> 31;
  return h;
}

}  // namespace

HashRing::HashRing(std::vector<Member> members) : members_(std::move(members)) {
  std::sort(members_.begin(), members_.end(),
            [](const Member& a, const Member& b) { return a.host_id < b.host_id; });
  for (int m = 0; m < static_cast<int>(members_.size()); ++m) {
    for (int p = 0; p < kPointsPerHost; ++p) points_.emplace_back(Hash(absl::StrCat(members_[m].host_id, "#", p)), m);
  }
  std::sort(points_.begin(), points_.end());
}

const HashRing::Member& HashRing::Owner(const std::string& key) const {
  const uint64_t h = Hash(key);
  auto it = std::lower_bound(points_.begin(), points_.end(), std::make_pair(h, 0));
  if (it == points_.end()) it = points_.begin();
  return members_[it->second];
}

}  // namespace zaman::membership

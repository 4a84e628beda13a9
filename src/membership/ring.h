#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace zaman::membership {

// A consistent-hash ring over hosts: each host has kPointsPerHost points,
// a key belongs to the first point at or after its hash. A host that
// joins or leaves moves only about 1/n of the keys. Every host that sees
// the same members computes the same owners. Immutable.
class HashRing {
 public:
  static constexpr int kPointsPerHost = 100;

  struct Member {
    std::string host_id;
    std::string address;
    bool operator==(const Member&) const = default;
  };

  explicit HashRing(std::vector<Member> members);

  bool empty() const { return points_.empty(); }
  const std::vector<Member>& members() const { return members_; }
  // The owner of `key`; the ring must not be empty.
  const Member& Owner(const std::string& key) const;

 private:
  std::vector<Member> members_;  // ordered by host id
  std::vector<std::pair<uint64_t, int>> points_;  // (hash, member index), sorted
};

}  // namespace zaman::membership

#include "membership/ring.h"

#include <map>
#include <string>

#include <gtest/gtest.h>

namespace zaman::membership {
namespace {

HashRing RingOf(int hosts) {
  std::vector<HashRing::Member> members;
  for (int i = 0; i < hosts; ++i) members.push_back({"host-" + std::to_string(i), "10.0.0." + std::to_string(i)});
  return HashRing(members);
}

std::map<std::string, int> Spread(const HashRing& ring, int keys) {
  std::map<std::string, int> count;
  for (int k = 0; k < keys; ++k) ++count[ring.Owner(std::to_string(k)).host_id];
  return count;
}

TEST(HashRingTest, EveryHostGetsAFairShareOfShards) {
  // 512 shards (Temporal's production default) over 3 hosts: none of them
  // idle, none with more than twice its share.
  std::map<std::string, int> count = Spread(RingOf(3), 512);
  ASSERT_EQ(count.size(), 3u);
  for (const auto& [host, n] : count) {
    EXPECT_GT(n, 512 / 3 / 2) << host;
    EXPECT_LT(n, 512 / 3 * 2) << host;
  }
}

TEST(HashRingTest, SameMembersInAnyOrderGiveTheSameOwners) {
  HashRing a({{"b", "2"}, {"a", "1"}, {"c", "3"}});
  HashRing b({{"c", "3"}, {"a", "1"}, {"b", "2"}});
  for (int k = 0; k < 1000; ++k) EXPECT_EQ(a.Owner(std::to_string(k)), b.Owner(std::to_string(k)));
}

TEST(HashRingTest, AHostJoiningMovesOnlyTheKeysItTakes) {
  HashRing three = RingOf(3);
  HashRing four = RingOf(4);
  int moved = 0;
  for (int k = 0; k < 4096; ++k) {
    const std::string key = std::to_string(k);
    if (three.Owner(key) == four.Owner(key)) continue;
    ++moved;
    EXPECT_EQ(four.Owner(key).host_id, "host-3") << "key " << k << " moved between old hosts";
  }
  // About a quarter move, to the new host only.
  EXPECT_GT(moved, 4096 / 8);
  EXPECT_LT(moved, 4096 / 2);
}

TEST(HashRingTest, AHostLeavingHandsOnlyItsOwnKeys) {
  HashRing four = RingOf(4);
  HashRing three = RingOf(3);  // host-3 gone
  for (int k = 0; k < 4096; ++k) {
    const std::string key = std::to_string(k);
    if (four.Owner(key).host_id != "host-3") EXPECT_EQ(four.Owner(key), three.Owner(key));
  }
}

}  // namespace
}  // namespace zaman::membership

#include "common/random.h"

#include <set>

#include <gtest/gtest.h>

#include "absl/strings/match.h"

namespace zaman {
namespace {

TEST(RandomTest, SeededGeneratorsRepeat) {
  Random a(42), b(42);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(a.Next(), b.Next());
}

TEST(RandomTest, UuidsAreVersion4AndDistinct) {
  Random random(7);
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string id = random.NewUuid();
    ASSERT_EQ(id.size(), 36u) << id;
    EXPECT_EQ(id[8], '-');
    EXPECT_EQ(id[14], '4') << id;
    EXPECT_TRUE(absl::StrContains("89ab", id[19])) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(RandomTest, V7UuidsCarryTheirTimeAndSortByIt) {
  Random random(7);
  const absl::Time t = absl::FromUnixMillis(1764640000123);
  std::string id = random.NewUuidV7(t);
  ASSERT_EQ(id.size(), 36u) << id;
  EXPECT_EQ(id[14], '7') << id;
  EXPECT_TRUE(absl::StrContains("89ab", id[19])) << id;
  // 1764640000123 ms is 0x019adcbd887b.
  EXPECT_EQ(id.substr(0, 13), "019adcbd-887b") << id;
  EXPECT_LT(random.NewUuidV7(t), random.NewUuidV7(t + absl::Milliseconds(1)));
}

}  // namespace
}  // namespace zaman

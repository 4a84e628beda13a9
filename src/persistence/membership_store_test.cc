// The MembershipStore contract, run against every backend.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "persistence/testing/fresh_store_test.h"

namespace zaman::persistence {
namespace {

const absl::Time kNow = absl::FromUnixMillis(1'700'000'000'000);

class MembershipStoreTest : public testing::FreshStoreTest {
 protected:
  static HostRecord Host(const std::string& id, const std::string& role, absl::Time expires_at,
                         const std::string& address = "10.0.0.1:7234") {
    HostRecord host;
    host.host_id = id;
    host.role = role;
    host.rpc_address = address;
    host.session_start = kNow - absl::Minutes(5);
    host.last_heartbeat = kNow;
    host.expires_at = expires_at;
    return host;
  }
  MembershipStore& membership() { return store_->membership(); }

  std::vector<std::string> LiveIds(const std::string& role, absl::Time at) {
    absl::StatusOr<std::vector<HostRecord>> hosts = membership().LiveHosts(role, at);
    EXPECT_TRUE(hosts.ok()) << hosts.status();
    std::vector<std::string> ids;
    if (hosts.ok()) {
      for (const HostRecord& host : *hosts) ids.push_back(host.host_id);
    }
    return ids;
  }
};

TEST_P(MembershipStoreTest, AHostThatHeartbeatsIsLiveWithWhatItAnnounced) {
  ASSERT_TRUE(membership().Heartbeat(Host("host-b", "history", kNow + absl::Seconds(20), "10.0.0.2:7234")).ok());
  ASSERT_TRUE(membership().Heartbeat(Host("host-a", "history", kNow + absl::Seconds(20))).ok());
  auto hosts = membership().LiveHosts("history", kNow);
  ASSERT_TRUE(hosts.ok()) << hosts.status();
  ASSERT_EQ(hosts->size(), 2u);
  const HostRecord& a = (*hosts)[0];
  EXPECT_EQ(a.host_id, "host-a");
  EXPECT_EQ(a.role, "history");
  EXPECT_EQ(a.rpc_address, "10.0.0.1:7234");
  EXPECT_EQ(a.session_start, kNow - absl::Minutes(5));
  EXPECT_EQ(a.last_heartbeat, kNow);
  EXPECT_EQ(a.expires_at, kNow + absl::Seconds(20));
  EXPECT_EQ((*hosts)[1].host_id, "host-b");
  EXPECT_EQ((*hosts)[1].rpc_address, "10.0.0.2:7234");
}

TEST_P(MembershipStoreTest, AHostIsLiveOnlyUntilItsRowExpires) {
  const absl::Time expiry = kNow + absl::Seconds(20);
  ASSERT_TRUE(membership().Heartbeat(Host("host-a", "matching", expiry)).ok());
  EXPECT_EQ(LiveIds("matching", expiry - absl::Milliseconds(1)), std::vector<std::string>{"host-a"});
  EXPECT_TRUE(LiveIds("matching", expiry).empty());
  EXPECT_TRUE(LiveIds("matching", expiry + absl::Seconds(1)).empty());
}

TEST_P(MembershipStoreTest, AHostThatLeavesIsGoneAtOnce) {
  ASSERT_TRUE(membership().Heartbeat(Host("host-a", "history", kNow + absl::Seconds(20))).ok());
  ASSERT_TRUE(membership().Heartbeat(Host("host-b", "history", kNow + absl::Seconds(20))).ok());
  ASSERT_TRUE(membership().Leave("history", "host-a").ok());
  EXPECT_EQ(LiveIds("history", kNow), std::vector<std::string>{"host-b"});
  // Leaving twice (a retried shutdown) is not an error.
  EXPECT_TRUE(membership().Leave("history", "host-a").ok());
}

TEST_P(MembershipStoreTest, AHeartbeatReplacesTheHostsRow) {
  ASSERT_TRUE(membership().Heartbeat(Host("host-a", "history", kNow + absl::Seconds(20))).ok());
  HostRecord later = Host("host-a", "history", kNow + absl::Seconds(40), "10.0.0.9:7234");
  later.last_heartbeat = kNow + absl::Seconds(20);
  ASSERT_TRUE(membership().Heartbeat(later).ok());
  ASSERT_TRUE(membership().Heartbeat(later).ok());  // the same row again changes nothing
  auto hosts = membership().LiveHosts("history", kNow);
  ASSERT_TRUE(hosts.ok()) << hosts.status();
  ASSERT_EQ(hosts->size(), 1u);
  EXPECT_EQ((*hosts)[0].rpc_address, "10.0.0.9:7234");
  EXPECT_EQ((*hosts)[0].last_heartbeat, kNow + absl::Seconds(20));
  EXPECT_EQ((*hosts)[0].expires_at, kNow + absl::Seconds(40));
  // Still live after the first heartbeat's expiry.
  EXPECT_EQ(LiveIds("history", kNow + absl::Seconds(30)), std::vector<std::string>{"host-a"});
}

TEST_P(MembershipStoreTest, RolesAreSeparate) {
  // One process runs several roles under one host id.
  ASSERT_TRUE(membership().Heartbeat(Host("host-a", "history", kNow + absl::Seconds(20))).ok());
  ASSERT_TRUE(membership().Heartbeat(Host("host-a", "matching", kNow + absl::Seconds(20), "10.0.0.1:7235")).ok());
  ASSERT_TRUE(membership().Heartbeat(Host("host-b", "frontend", kNow + absl::Seconds(20))).ok());
  EXPECT_EQ(LiveIds("history", kNow), std::vector<std::string>{"host-a"});
  EXPECT_EQ(LiveIds("frontend", kNow), std::vector<std::string>{"host-b"});
  EXPECT_TRUE(LiveIds("worker", kNow).empty());
  ASSERT_TRUE(membership().Leave("matching", "host-a").ok());
  EXPECT_TRUE(LiveIds("matching", kNow).empty());
  EXPECT_EQ(LiveIds("history", kNow), std::vector<std::string>{"host-a"});
}

TEST_P(MembershipStoreTest, PruneRemovesOnlyRowsExpiredBeforeTheTime) {
  ASSERT_TRUE(membership().Heartbeat(Host("old", "history", kNow - absl::Minutes(10))).ok());
  ASSERT_TRUE(membership().Heartbeat(Host("recent", "matching", kNow - absl::Seconds(5))).ok());
  ASSERT_TRUE(membership().Heartbeat(Host("live", "history", kNow + absl::Seconds(20))).ok());
  ASSERT_TRUE(membership().PruneExpired(kNow - absl::Minutes(1)).ok());
  // What is left is seen by a reader looking far enough back.
  const absl::Time long_ago = kNow - absl::Hours(1);
  EXPECT_EQ(LiveIds("history", long_ago), std::vector<std::string>{"live"});
  EXPECT_EQ(LiveIds("matching", long_ago), std::vector<std::string>{"recent"});
  ASSERT_TRUE(membership().PruneExpired(kNow).ok());
  EXPECT_TRUE(LiveIds("matching", long_ago).empty());
  EXPECT_EQ(LiveIds("history", long_ago), std::vector<std::string>{"live"});
}

INSTANTIATE_TEST_SUITE_P(Backends, MembershipStoreTest, ::testing::ValuesIn(testing::TestBackends()),
                         testing::BackendName);

}  // namespace
}  // namespace zaman::persistence

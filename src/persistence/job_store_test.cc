// The JobStore contract, run against every backend.
#include <string>

#include <gtest/gtest.h>

#include "common/errors.h"
#include "persistence/testing/fresh_store_test.h"

namespace zaman::persistence {
namespace {

class JobStoreTest : public testing::FreshStoreTest {
 protected:
  static StoredJob Job(const std::string& id, const std::string& state, absl::Time wake_at,
                       const std::string& ns = "ns-1") {
    StoredJob job;
    job.namespace_id = ns;
    job.kind = "schedule";
    job.job_id = id;
    job.state = state;
    job.wake_at = wake_at;
    return job;
  }
  JobStore& jobs() { return store_->jobs(); }
};

TEST_P(JobStoreTest, CreatedJobReadsBackWithVersionOne) {
  std::string state("\0binary\xff", 8);
  ASSERT_TRUE(jobs().CreateJob(Job("daily", state, absl::FromUnixMillis(5000))).ok());
  auto got = jobs().GetJob("ns-1", "schedule", "daily");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->version, 1);
  EXPECT_EQ(got->state, state);
  EXPECT_EQ(got->wake_at, absl::FromUnixMillis(5000));
  EXPECT_EQ(jobs().GetJob("ns-1", "batch", "daily").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(jobs().GetJob("ns-2", "schedule", "daily").status().code(), absl::StatusCode::kNotFound);
}

TEST_P(JobStoreTest, DuplicateIdIsAlreadyExists) {
  ASSERT_TRUE(jobs().CreateJob(Job("daily", "a", absl::InfiniteFuture())).ok());
  EXPECT_EQ(jobs().CreateJob(Job("daily", "b", absl::InfiniteFuture())).code(), absl::StatusCode::kAlreadyExists);
  EXPECT_TRUE(jobs().CreateJob(Job("daily", "c", absl::InfiniteFuture(), "ns-2")).ok());
  EXPECT_EQ(jobs().GetJob("ns-1", "schedule", "daily")->state, "a");
}

TEST_P(JobStoreTest, UpdateIsCompareAndSetOnTheVersion) {
  ASSERT_TRUE(jobs().CreateJob(Job("daily", "v1", absl::FromUnixMillis(1000))).ok());
  ASSERT_TRUE(jobs().UpdateJob(Job("daily", "v2", absl::InfiniteFuture()), 1).ok());
  // A second writer that read version 1 loses.
  absl::Status stale = jobs().UpdateJob(Job("daily", "other", absl::FromUnixMillis(1)), 1);
  EXPECT_TRUE(errors::IsConditionFailed(stale)) << stale;
  auto got = jobs().GetJob("ns-1", "schedule", "daily");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->version, 2);
  EXPECT_EQ(got->state, "v2");
  EXPECT_EQ(got->wake_at, absl::InfiniteFuture());
  EXPECT_EQ(jobs().UpdateJob(Job("gone", "x", absl::InfiniteFuture()), 1).code(), absl::StatusCode::kNotFound);
}

TEST_P(JobStoreTest, DeletedJobIsGone) {
  ASSERT_TRUE(jobs().CreateJob(Job("daily", "a", absl::FromUnixMillis(1000))).ok());
  ASSERT_TRUE(jobs().DeleteJob("ns-1", "schedule", "daily").ok());
  EXPECT_EQ(jobs().GetJob("ns-1", "schedule", "daily").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(jobs().DeleteJob("ns-1", "schedule", "daily").code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(jobs().DueJobs("schedule", absl::FromUnixMillis(5000), 10)->empty());
  EXPECT_TRUE(jobs().CreateJob(Job("daily", "again", absl::InfiniteFuture())).ok());
}

TEST_P(JobStoreTest, DueJobsAreTheKindsWokenBeforeTheTimeEarliestFirst) {
  ASSERT_TRUE(jobs().CreateJob(Job("late", "", absl::FromUnixMillis(3000))).ok());
  ASSERT_TRUE(jobs().CreateJob(Job("early", "", absl::FromUnixMillis(1000), "ns-2")).ok());
  ASSERT_TRUE(jobs().CreateJob(Job("future", "", absl::FromUnixMillis(9000))).ok());
  ASSERT_TRUE(jobs().CreateJob(Job("idle", "", absl::InfiniteFuture())).ok());
  StoredJob batch = Job("batch-1", "", absl::FromUnixMillis(500));
  batch.kind = "batch";
  ASSERT_TRUE(jobs().CreateJob(batch).ok());

  auto due = jobs().DueJobs("schedule", absl::FromUnixMillis(3000), 10);
  ASSERT_TRUE(due.ok()) << due.status();
  ASSERT_EQ(due->size(), 2u);
  EXPECT_EQ((*due)[0].job_id, "early");
  EXPECT_EQ((*due)[0].namespace_id, "ns-2");
  EXPECT_EQ((*due)[1].job_id, "late");
  EXPECT_EQ(jobs().DueJobs("schedule", absl::FromUnixMillis(3000), 1)->size(), 1u);
  EXPECT_EQ(jobs().DueJobs("batch", absl::FromUnixMillis(3000), 10)->size(), 1u);
}

TEST_P(JobStoreTest, ListPagesThroughOneNamespacesJobsById) {
  for (const char* id : {"c", "a", "e", "b", "d"}) ASSERT_TRUE(jobs().CreateJob(Job(id, id, absl::InfiniteFuture())).ok());
  ASSERT_TRUE(jobs().CreateJob(Job("x", "", absl::InfiniteFuture(), "ns-2")).ok());
  std::string seen;
  std::string token;
  int pages = 0;
  do {
    auto page = jobs().ListJobs("ns-1", "schedule", 2, token);
    ASSERT_TRUE(page.ok()) << page.status();
    for (const StoredJob& job : page->jobs) seen += job.job_id;
    token = page->next_page_token;
    ++pages;
  } while (!token.empty());
  EXPECT_EQ(seen, "abcde");
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(jobs().ListJobs("ns-1", "schedule", 2, "garbage").status().code(), absl::StatusCode::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(Backends, JobStoreTest, ::testing::ValuesIn(testing::TestBackends()), testing::BackendName);

}  // namespace
}  // namespace zaman::persistence

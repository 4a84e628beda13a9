// The TaskQueueStore contract, run against every backend.
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "common/errors.h"
#include "persistence/testing/fresh_store_test.h"

namespace zaman::persistence {
namespace {

class TaskQueueStoreTest : public testing::FreshStoreTest {
 protected:
  static PartitionKey Key(int32_t partition = 0, TaskQueueKind kind = TaskQueueKind::kWorkflow,
                          const std::string& queue = "orders") {
    return PartitionKey{"ns-1", queue, kind, partition};
  }
  // The n-th task an owner with `range_id` adds.
  static QueuedTask Task(int64_t range_id, int64_t n, const std::string& workflow_id = "wf") {
    QueuedTask task;
    task.task_id = (range_id << kTaskIdRangeBits) | n;
    task.task.set_kind(v1::TransferTask::WORKFLOW_TASK);
    task.task.set_namespace_id("ns-1");
    task.task.set_workflow_id(workflow_id);
    task.task.set_scheduled_event_id(n);
    task.created_at = absl::FromUnixMillis(1'700'000'000'000 + n);
    return task;
  }
  TaskQueueStore& queues() { return store_->task_queues(); }

  std::vector<int64_t> StoredIds(const PartitionKey& key, int64_t after = 0, int limit = 1000) {
    auto tasks = queues().ReadTasks(key, after, limit);
    EXPECT_TRUE(tasks.ok()) << tasks.status();
    std::vector<int64_t> ids;
    if (tasks.ok()) {
      for (const QueuedTask& task : *tasks) ids.push_back(task.task_id);
    }
    return ids;
  }
};

TEST_P(TaskQueueStoreTest, EachAcquireBumpsTheRangeId) {
  auto first = queues().AcquirePartition(Key());
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->range_id, 1);
  EXPECT_EQ(first->ack_level, 0);
  auto second = queues().AcquirePartition(Key());
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->range_id, 2);
  // Other partitions, kinds and queues have ranges of their own.
  EXPECT_EQ(queues().AcquirePartition(Key(1))->range_id, 1);
  EXPECT_EQ(queues().AcquirePartition(Key(0, TaskQueueKind::kActivity))->range_id, 1);
  EXPECT_EQ(queues().AcquirePartition(Key(0, TaskQueueKind::kWorkflow, "billing"))->range_id, 1);
}

TEST_P(TaskQueueStoreTest, AddedTasksReadBackInIdOrderWithTheirPayload) {
  auto lease = queues().AcquirePartition(Key());
  ASSERT_TRUE(lease.ok()) << lease.status();
  const int64_t r = lease->range_id;
  ASSERT_TRUE(queues().AddTasks(Key(), r, {Task(r, 2, "b"), Task(r, 0, "a")}).ok());
  ASSERT_TRUE(queues().AddTasks(Key(), r, {Task(r, 1, "c")}).ok());
  auto tasks = queues().ReadTasks(Key(), 0, 10);
  ASSERT_TRUE(tasks.ok()) << tasks.status();
  ASSERT_EQ(tasks->size(), 3u);
  EXPECT_EQ((*tasks)[0].task_id, Task(r, 0).task_id);
  EXPECT_EQ((*tasks)[0].task.workflow_id(), "a");
  EXPECT_EQ((*tasks)[0].task.kind(), v1::TransferTask::WORKFLOW_TASK);
  EXPECT_EQ((*tasks)[0].created_at, Task(r, 0).created_at);
  EXPECT_EQ((*tasks)[1].task.workflow_id(), "c");
  EXPECT_EQ((*tasks)[2].task.workflow_id(), "b");
  EXPECT_EQ((*tasks)[2].task.scheduled_event_id(), 2);
  EXPECT_EQ(*queues().CountTasks(Key()), 3);
  // Another partition sees none of them.
  EXPECT_TRUE(StoredIds(Key(1)).empty());
  EXPECT_EQ(*queues().CountTasks(Key(0, TaskQueueKind::kActivity)), 0);
}

TEST_P(TaskQueueStoreTest, ReadingPagesThroughTheBacklog) {
  const int64_t r = queues().AcquirePartition(Key())->range_id;
  std::vector<QueuedTask> tasks;
  for (int n = 0; n < 7; ++n) tasks.push_back(Task(r, n));
  ASSERT_TRUE(queues().AddTasks(Key(), r, tasks).ok());
  std::vector<int64_t> seen;
  int64_t after = 0;
  int pages = 0;
  while (true) {
    std::vector<int64_t> page = StoredIds(Key(), after, 3);
    if (page.empty()) break;
    ++pages;
    seen.insert(seen.end(), page.begin(), page.end());
    after = page.back();
  }
  EXPECT_EQ(pages, 3);
  ASSERT_EQ(seen.size(), 7u);
  for (int n = 0; n < 7; ++n) EXPECT_EQ(seen[n], Task(r, n).task_id);
}

TEST_P(TaskQueueStoreTest, ANewOwnerFencesTheOldOnesWrites) {
  const int64_t old_range = queues().AcquirePartition(Key())->range_id;
  ASSERT_TRUE(queues().AddTasks(Key(), old_range, {Task(old_range, 0), Task(old_range, 1)}).ok());
  const int64_t new_range = queues().AcquirePartition(Key())->range_id;
  ASSERT_GT(new_range, old_range);

  absl::Status add = queues().AddTasks(Key(), old_range, {Task(old_range, 2)});
  EXPECT_TRUE(errors::IsTaskQueueOwnershipLost(add)) << add;
  absl::Status complete = queues().CompleteTasksUpTo(Key(), old_range, Task(old_range, 1).task_id);
  EXPECT_TRUE(errors::IsTaskQueueOwnershipLost(complete)) << complete;
  // Nothing of the refused writes happened.
  EXPECT_EQ(StoredIds(Key()), (std::vector<int64_t>{Task(old_range, 0).task_id, Task(old_range, 1).task_id}));
  EXPECT_EQ(queues().AcquirePartition(Key())->ack_level, 0);

  // The new owner reads the old one's tasks and adds after them.
  const int64_t owner = queues().AcquirePartition(Key())->range_id;
  ASSERT_TRUE(queues().AddTasks(Key(), owner, {Task(owner, 0)}).ok());
  EXPECT_EQ(StoredIds(Key()).back(), Task(owner, 0).task_id);
}

TEST_P(TaskQueueStoreTest, AnAcquireRacingAnOwnersAddsLetsNoAcknowledgedTaskGoAndNoLateOneIn) {
  const int64_t old_range = queues().AcquirePartition(Key())->range_id;
  std::atomic<bool> taken{false};
  std::atomic<int> added_after_taken{0};
  int acknowledged = 0;
  std::thread owner([&] {
    // Adds until fenced off.
    for (int n = 0; n < (1 << kTaskIdRangeBits); ++n) {
      const bool was_taken = taken.load();
      absl::Status s = queues().AddTasks(Key(), old_range, {Task(old_range, n)});
      if (!s.ok()) {
        EXPECT_TRUE(errors::IsTaskQueueOwnershipLost(s)) << s;
        return;
      }
      ++acknowledged;
      if (was_taken) ++added_after_taken;
    }
  });
  absl::SleepFor(absl::Milliseconds(50));
  ASSERT_TRUE(queues().AcquirePartition(Key()).ok());
  taken = true;
  owner.join();
  EXPECT_GT(acknowledged, 0);
  EXPECT_EQ(added_after_taken.load(), 0);
  EXPECT_EQ(*queues().CountTasks(Key()), acknowledged);
}

TEST_P(TaskQueueStoreTest, AWriteToAPartitionNeverAcquiredIsRefused) {
  absl::Status add = queues().AddTasks(Key(), 1, {Task(1, 0)});
  EXPECT_TRUE(errors::IsTaskQueueOwnershipLost(add)) << add;
  EXPECT_TRUE(errors::IsTaskQueueOwnershipLost(queues().CompleteTasksUpTo(Key(), 1, 5)));
  EXPECT_TRUE(StoredIds(Key()).empty());
}

TEST_P(TaskQueueStoreTest, AddingTasksIsAllOrNothing) {
  const int64_t r = queues().AcquirePartition(Key())->range_id;
  ASSERT_TRUE(queues().AddTasks(Key(), r, {Task(r, 1)}).ok());
  absl::Status clash = queues().AddTasks(Key(), r, {Task(r, 0), Task(r, 1)});
  EXPECT_EQ(clash.code(), absl::StatusCode::kAlreadyExists) << clash;
  EXPECT_EQ(StoredIds(Key()), std::vector<int64_t>{Task(r, 1).task_id});
}

TEST_P(TaskQueueStoreTest, CompletingUpToAnAckLevelDeletesThoseTasksAndKeepsTheLevel) {
  const int64_t r = queues().AcquirePartition(Key())->range_id;
  std::vector<QueuedTask> tasks;
  for (int n = 0; n < 5; ++n) tasks.push_back(Task(r, n));
  ASSERT_TRUE(queues().AddTasks(Key(), r, tasks).ok());
  ASSERT_TRUE(queues().CompleteTasksUpTo(Key(), r, Task(r, 2).task_id).ok());
  EXPECT_EQ(StoredIds(Key()), (std::vector<int64_t>{Task(r, 3).task_id, Task(r, 4).task_id}));
  EXPECT_EQ(*queues().CountTasks(Key()), 2);
  // A lower level does not move it back.
  ASSERT_TRUE(queues().CompleteTasksUpTo(Key(), r, Task(r, 0).task_id).ok());
  auto lease = queues().AcquirePartition(Key());
  ASSERT_TRUE(lease.ok());
  EXPECT_EQ(lease->ack_level, Task(r, 2).task_id);
  auto partitions = queues().ListPartitions("ns-1", "orders");
  ASSERT_TRUE(partitions.ok()) << partitions.status();
  ASSERT_EQ(partitions->size(), 1u);
  EXPECT_EQ((*partitions)[0].ack_level, Task(r, 2).task_id);
  EXPECT_EQ((*partitions)[0].range_id, lease->range_id);
}

TEST_P(TaskQueueStoreTest, OneTaskCompletedOutOfOrderIsGone) {
  const int64_t r = queues().AcquirePartition(Key())->range_id;
  ASSERT_TRUE(queues().AddTasks(Key(), r, {Task(r, 0), Task(r, 1), Task(r, 2)}).ok());
  ASSERT_TRUE(queues().CompleteTask(Key(), Task(r, 1).task_id).ok());
  EXPECT_EQ(StoredIds(Key()), (std::vector<int64_t>{Task(r, 0).task_id, Task(r, 2).task_id}));
  EXPECT_TRUE(queues().CompleteTask(Key(), Task(r, 1).task_id).ok());
  // Even after the partition changed hands.
  queues().AcquirePartition(Key()).IgnoreError();
  ASSERT_TRUE(queues().CompleteTask(Key(), Task(r, 0).task_id).ok());
  EXPECT_EQ(StoredIds(Key()), std::vector<int64_t>{Task(r, 2).task_id});
}

TEST_P(TaskQueueStoreTest, PartitionsAreListedByKindThenNumber) {
  for (int32_t p : {2, 0, 1}) ASSERT_TRUE(queues().AcquirePartition(Key(p, TaskQueueKind::kActivity)).ok());
  ASSERT_TRUE(queues().AcquirePartition(Key(3)).ok());
  ASSERT_TRUE(queues().AcquirePartition(Key(0, TaskQueueKind::kWorkflow, "billing")).ok());
  auto partitions = queues().ListPartitions("ns-1", "orders");
  ASSERT_TRUE(partitions.ok()) << partitions.status();
  ASSERT_EQ(partitions->size(), 4u);
  EXPECT_EQ((*partitions)[0].key, Key(3));
  EXPECT_EQ((*partitions)[1].key, Key(0, TaskQueueKind::kActivity));
  EXPECT_EQ((*partitions)[3].key, Key(2, TaskQueueKind::kActivity));
  EXPECT_EQ((*partitions)[3].range_id, 1);
  EXPECT_TRUE(queues().ListPartitions("ns-2", "orders")->empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, TaskQueueStoreTest, ::testing::ValuesIn(testing::TestBackends()),
                         testing::BackendName);

}  // namespace
}  // namespace zaman::persistence

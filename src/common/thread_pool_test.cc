#include "common/thread_pool.h"

#include <atomic>

#include <gtest/gtest.h>

#include "absl/synchronization/notification.h"

namespace zaman {
namespace {

TEST(ThreadPoolTest, RunsEveryPostedTaskBeforeDestruction) {
  std::atomic<int> ran{0};
  {
    ThreadPool pool(3);
    for (int i = 0; i < 1000; ++i) pool.Post([&ran] { ran.fetch_add(1); });
  }
  EXPECT_EQ(ran.load(), 1000);
}

TEST(ThreadPoolTest, RunsTasksOffTheCallingThread) {
  ThreadPool pool(1);
  absl::Notification done;
  std::thread::id worker;
  pool.Post([&] {
    worker = std::this_thread::get_id();
    done.Notify();
  });
  done.WaitForNotification();
  EXPECT_NE(worker, std::this_thread::get_id());
}

}  // namespace
}  // namespace zaman

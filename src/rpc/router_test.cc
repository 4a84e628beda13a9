#include "rpc/router.h"

#include <atomic>
#include <future>

#include <gtest/gtest.h>

#include "common/clock.h"
#include "common/errors.h"

namespace zaman::rpc {
namespace {

// A role's client as the router sees it: one method.
class Echo {
 public:
  virtual ~Echo() = default;
  virtual void Say(const std::string& what, std::function<void(absl::StatusOr<std::string>)> done) = 0;
};

// Answers ownership-lost `refusals` times, then echoes with its name.
class Host final : public Echo {
 public:
  Host(std::string name, int refusals) : name_(std::move(name)), refusals_(refusals) {}
  void Say(const std::string& what, std::function<void(absl::StatusOr<std::string>)> done) override {
    ++calls;
    if (refusals_-- > 0) return done(errors::ShardOwnershipLost("not mine"));
    done(name_ + ":" + what);
  }
  std::atomic<int> calls{0};

 private:
  std::string name_;
  int refusals_;
};

// The ring moves to `next` once asked to refresh.
class FakeResolver final : public membership::Resolver {
 public:
  absl::StatusOr<std::string> Owner(membership::Role, const std::string&) override {
    absl::MutexLock lock(&mu_);
    if (owner_.empty()) return absl::UnavailableError("no host");
    return owner_;
  }
  void Refresh() override {
    absl::MutexLock lock(&mu_);
    ++refreshes;
    if (!next_.empty()) owner_ = next_;
  }
  void Set(std::string owner, std::string next) {
    absl::MutexLock lock(&mu_);
    owner_ = std::move(owner);
    next_ = std::move(next);
  }
  int refreshes = 0;

 private:
  absl::Mutex mu_;
  std::string owner_, next_;
};

class RouterTest : public ::testing::Test {
 protected:
  absl::StatusOr<std::string> Call(Router<Echo>& router, absl::Duration budget) {
    std::promise<absl::StatusOr<std::string>> answered;
    router.Route<std::string>(
        "key", absl::Now() + budget, [](Echo& e, auto done) { e.Say("hi", std::move(done)); },
        [&answered](absl::StatusOr<std::string> r) { answered.set_value(std::move(r)); });
    return answered.get_future().get();
  }

  TimerService timers_{Clock::Real(), /*run_thread=*/true};
  ChannelPool channels_;
  FakeResolver resolver_;
};

TEST_F(RouterTest, CallsTheLocalHostWhenItOwnsTheKey) {
  Host local("local", 0);
  Router<Echo> router(resolver_, membership::Role::kHistory, channels_, &local, timers_, nullptr);
  router.SetLocalAddress("10.0.0.1:7234");
  resolver_.Set("10.0.0.1:7234", "");
  EXPECT_EQ(*Call(router, absl::Seconds(5)), "local:hi");
}

TEST_F(RouterTest, AsksTheNewOwnerWhenTheOldOneLostTheKey) {
  // The ring still names 10.0.0.1, which answers "not mine"; after a
  // refresh it names this host, which answers.
  Host old_owner("old", 1000);
  Host local("local", 0);
  Router<Echo> router(resolver_, membership::Role::kHistory, channels_, &local, timers_,
                      [&old_owner](std::shared_ptr<grpc::Channel>) -> std::unique_ptr<Echo> {
                        // The peer for 10.0.0.1: forwards to old_owner.
                        struct Peer final : Echo {
                          explicit Peer(Echo& to) : to(to) {}
                          void Say(const std::string& w, std::function<void(absl::StatusOr<std::string>)> d) override {
                            to.Say(w, std::move(d));
                          }
                          Echo& to;
                        };
                        return std::make_unique<Peer>(old_owner);
                      });
  router.SetLocalAddress("10.0.0.2:7234");
  resolver_.Set("10.0.0.1:7234", "10.0.0.2:7234");
  EXPECT_EQ(*Call(router, absl::Seconds(5)), "local:hi");
  EXPECT_EQ(old_owner.calls, 1);
  EXPECT_GE(resolver_.refreshes, 1);
}

TEST_F(RouterTest, KeepsTryingWhileTheOwnerIsNotReadyYet) {
  Host local("local", 3);  // owns the key but has not taken it yet
  Router<Echo> router(resolver_, membership::Role::kHistory, channels_, &local, timers_, nullptr);
  router.SetLocalAddress("a:1");
  resolver_.Set("a:1", "");
  EXPECT_EQ(*Call(router, absl::Seconds(5)), "local:hi");
  EXPECT_EQ(local.calls, 4);
}

TEST_F(RouterTest, GivesUpWithTheLastErrorWhenTheBudgetIsSpent) {
  Host local("local", 1000000);
  Router<Echo> router(resolver_, membership::Role::kHistory, channels_, &local, timers_, nullptr);
  router.SetLocalAddress("a:1");
  resolver_.Set("a:1", "");
  absl::StatusOr<std::string> r = Call(router, absl::Milliseconds(300));
  EXPECT_TRUE(errors::IsShardOwnershipLost(r.status())) << r.status();
}

TEST_F(RouterTest, ANonRetryableAnswerIsFinal) {
  struct Refuses final : Echo {
    void Say(const std::string&, std::function<void(absl::StatusOr<std::string>)> d) override {
      ++calls;
      d(absl::NotFoundError("workflow not found"));
    }
    int calls = 0;
  } local;
  Router<Echo> router(resolver_, membership::Role::kHistory, channels_, &local, timers_, nullptr);
  router.SetLocalAddress("a:1");
  resolver_.Set("a:1", "");
  EXPECT_EQ(Call(router, absl::Seconds(5)).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(local.calls, 1);
}

TEST_F(RouterTest, NoLiveHostIsUnavailable) {
  Host local("local", 0);
  Router<Echo> router(resolver_, membership::Role::kMatching, channels_, &local, timers_, nullptr);
  resolver_.Set("", "");
  EXPECT_EQ(Call(router, absl::Milliseconds(200)).status().code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace zaman::rpc

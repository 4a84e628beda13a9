// A shard's two task queues, read from the store in pages (Temporal's
// queue processors): the outbox by task id, the timers by fire time within a
// look-ahead window. The read positions move on the shard's thread only, in
// step with commits, so a task is either handed out when it commits (it lies
// inside what has been read) or found later by a page read (it lies beyond).

#include <google/protobuf/util/time_util.h>
#include <spdlog/spdlog.h>

#include <limits>

#include "common/errors.h"
#include "history/history_metrics.h"
#include "history/shard.h"

namespace zaman::history {

using ::google::protobuf::util::TimeUtil;
using persistence::TimerKey;
using persistence::TimerKeyOf;

namespace {

// How long a store read that failed waits to try again.
constexpr absl::Duration kReadRetry = absl::Seconds(1);
// An outbox task handed out this long ago and never settled (its work
// failed for good, or is retrying for a long time) no longer counts
// against the limit; it stays in the store for the next owner.
constexpr absl::Duration kInFlightForgotten = absl::Minutes(2);
// Pages one read chore reads before letting the mutations queued behind it run.
constexpr int kPagesPerChore = 8;
// Completions held back (MutationScope::CompleteTransferTask) are deleted
// by a commit of their own after this long without another commit, or once
// there are this many.
constexpr absl::Duration kDeferredFlushDelay = absl::Seconds(1);
constexpr size_t kMaxDeferred = 256;

// Adds the tasks `from` completes to the two lists.
void AppendDone(const persistence::ShardTransaction& from, std::vector<int64_t>& transfer,
                std::vector<int64_t>& timers) {
  transfer.insert(transfer.end(), from.done_transfer_tasks.begin(), from.done_transfer_tasks.end());
  timers.insert(timers.end(), from.done_timer_tasks.begin(), from.done_timer_tasks.end());
}

}  // namespace

void Shard::ResetQueues() {
  outbox_level_ = 0;
  timer_level_ = TimerKey{std::numeric_limits<int64_t>::min(), 0};
  timer_tick_scheduled_ = false;
  outbox_more_ = true;
  timers_more_ = true;
  outbox_read_requested_ = false;
  timer_read_requested_ = false;
  absl::MutexLock lock(&queues_mu_);
  in_flight_.clear();
  armed_.clear();
}

Shard::Footprint Shard::footprint() {
  absl::MutexLock lock(&queues_mu_);
  return {armed_.size(), in_flight_.size()};
}

void Shard::RequestOutboxRead() {
  if (outbox_read_requested_.exchange(true)) return;
  PostChore([this] { ReadOutbox(); });
}

void Shard::RequestTimerRead() {
  if (timer_read_requested_.exchange(true)) return;
  PostChore([this] { ReadTimers(); });
}

void Shard::RetryLater(void (Shard::*chore)()) {
  timers_.Schedule(clock_.Now() + kReadRetry, [this, chore, generation = generation_.load()] {
    if (generation != generation_.load()) return;
    PostChore([this, chore] { (this->*chore)(); });
  });
}

// --- The outbox ----------------------------------------------------------------

void Shard::DispatchTransfer(const TransferTask& task) {
  {
    absl::MutexLock lock(&queues_mu_);
    if (!in_flight_.emplace(task.task_id(), absl::Now()).second) return;  // handed out already
  }
  listener_.DispatchTransferTask(task);
}

void Shard::ReleaseTransferTask(int64_t task_id) {
  size_t in_flight;
  {
    absl::MutexLock lock(&queues_mu_);
    in_flight_.erase(task_id);
    in_flight = in_flight_.size();
  }
  if (outbox_more_ && in_flight <= options_.max_outbox_in_flight / 2) RequestOutboxRead();
}

void Shard::ReadOutbox() {
  outbox_read_requested_ = false;
  if (lost_) return;
  for (int page = 0; page < kPagesPerChore && outbox_more_; ++page) {
    size_t room;
    {
      absl::MutexLock lock(&queues_mu_);
      if (in_flight_.size() >= options_.max_outbox_in_flight) {
        absl::Time forgotten = absl::Now() - kInFlightForgotten;
        absl::erase_if(in_flight_, [forgotten](const auto& entry) { return entry.second < forgotten; });
      }
      room = options_.max_outbox_in_flight - std::min(in_flight_.size(), options_.max_outbox_in_flight);
    }
    if (room == 0) return;  // a settling task asks for the next page
    const int limit = static_cast<int>(std::min<size_t>(room, options_.page_size));
    absl::StatusOr<std::vector<TransferTask>> tasks = store_.LoadTransferTasks(id_, outbox_level_, limit);
    if (!tasks.ok()) {
      spdlog::warn("shard {}: cannot read the outbox: {}", id_, tasks.status().ToString());
      return RetryLater(&Shard::ReadOutbox);
    }
    if (!tasks->empty()) outbox_level_ = tasks->back().task_id();
    if (static_cast<int>(tasks->size()) < limit) outbox_more_ = false;
    for (const TransferTask& task : *tasks) DispatchTransfer(task);
  }
  if (outbox_more_) RequestOutboxRead();
}

// --- The timers ----------------------------------------------------------------

void Shard::ArmTimer(const TimerTask& task) {
  {
    absl::MutexLock lock(&queues_mu_);
    if (!armed_.insert(task.task_id()).second) return;  // armed already
  }
  absl::Time at = absl::FromUnixNanos(TimeUtil::TimestampToNanoseconds(task.fire_time()));
  metrics::ShardMetrics::Get().TimerArmed();
  timers_.Schedule(at, [this, task, generation = generation_.load()] {
    if (generation != generation_.load() || !running_) return;  // read again by a later start, or not ours now
    size_t armed;
    {
      absl::MutexLock lock(&queues_mu_);
      armed_.erase(task.task_id());
      armed = armed_.size();
    }
    if (timers_more_ && armed <= options_.max_armed_timers / 2) RequestTimerRead();
    metrics::ShardMetrics::Get().TimerFired();
    listener_.TimerDue(id_, task);
  });
}

void Shard::ReadTimers() {
  timer_read_requested_ = false;
  if (lost_) return;
  const absl::Time now = clock_.Now();
  const int64_t window_ms = absl::ToUnixMillis(now + options_.timer_lookahead);
  for (int page = 0; page < kPagesPerChore; ++page) {
    size_t room;
    {
      absl::MutexLock lock(&queues_mu_);
      room = options_.max_armed_timers - std::min(armed_.size(), options_.max_armed_timers);
    }
    if (room == 0) {
      timers_more_ = true;  // a firing timer asks for the next page
      break;
    }
    const int limit = static_cast<int>(std::min<size_t>(room, options_.page_size));
    absl::StatusOr<std::vector<TimerTask>> timers = store_.LoadTimerTasks(id_, timer_level_, window_ms, limit);
    if (!timers.ok()) {
      spdlog::warn("shard {}: cannot read the timers: {}", id_, timers.status().ToString());
      return RetryLater(&Shard::ReadTimers);
    }
    for (const TimerTask& timer : *timers) ArmTimer(timer);
    if (static_cast<int>(timers->size()) == limit) {
      timer_level_ = TimerKeyOf(timers->back());
      timers_more_ = true;
      continue;
    }
    // Everything firing before the window's end is armed now.
    timer_level_ = std::max(timer_level_, TimerKey{window_ms - 1, std::numeric_limits<int64_t>::max()});
    timers_more_ = false;
    break;
  }
  if (timers_more_) {
    bool room;
    {
      absl::MutexLock lock(&queues_mu_);
      room = armed_.size() < options_.max_armed_timers;
    }
    if (room) RequestTimerRead();
  }
  // The window moves on before it runs out.
  if (!timer_tick_scheduled_) {
    timer_tick_scheduled_ = true;
    timers_.Schedule(now + options_.timer_lookahead / 2, [this, generation = generation_.load()] {
      if (generation != generation_.load()) return;
      PostChore([this] {
        timer_tick_scheduled_ = false;
        ReadTimers();
      });
    });
  }
}

// --- After commits -----------------------------------------------------------------

void Shard::QueueCommitted(const persistence::ShardTransaction& tx) {
  size_t in_flight;
  {
    absl::MutexLock lock(&queues_mu_);
    for (int64_t id : tx.done_transfer_tasks) in_flight_.erase(id);
    in_flight = in_flight_.size();
  }
  if (!tx.new_transfer_tasks.empty()) {
    if (!outbox_more_ && in_flight < options_.max_outbox_in_flight) {
      for (const TransferTask& task : tx.new_transfer_tasks) {
        outbox_level_ = std::max(outbox_level_, task.task_id());
        DispatchTransfer(task);
      }
    } else {
      outbox_more_ = true;  // read in its turn, behind what waits already
    }
  }
  if (outbox_more_ && in_flight <= options_.max_outbox_in_flight / 2) RequestOutboxRead();
  for (const TimerTask& timer : tx.new_timer_tasks) {
    if (TimerKeyOf(timer) <= timer_level_) ArmTimer(timer);  // else a later read finds it
  }
}

void Shard::QueueUncertain(const persistence::ShardTransaction& tx) {
  if (!tx.new_transfer_tasks.empty()) outbox_more_ = true;  // the level has not passed them
  if (!tx.new_timer_tasks.empty()) {
    TimerKey first = TimerKeyOf(tx.new_timer_tasks.front());
    for (const TimerTask& timer : tx.new_timer_tasks) first = std::min(first, TimerKeyOf(timer));
    if (first <= timer_level_) timer_level_ = TimerKey{first.fire_time_ms, first.task_id - 1};
    timers_more_ = true;
  }
  if (!tx.new_transfer_tasks.empty()) RetryLater(&Shard::ReadOutbox);
  if (!tx.new_timer_tasks.empty()) RetryLater(&Shard::ReadTimers);
}

// --- Completions held back ---------------------------------------------------------

void Shard::Defer(const persistence::ShardTransaction& tx) {
  QueueCommitted(tx);  // settled now: they are done
  AppendDone(tx, deferred_transfer_, deferred_timer_);
  if (deferred_transfer_.size() + deferred_timer_.size() >= kMaxDeferred) return FlushDeferred();
  if (deferred_flush_scheduled_) return;
  deferred_flush_scheduled_ = true;
  timers_.Schedule(clock_.Now() + kDeferredFlushDelay, [this, generation = generation_.load()] {
    if (generation != generation_.load()) return;
    PostChore([this] {
      deferred_flush_scheduled_ = false;
      FlushDeferred();
    });
  });
}

persistence::ShardTransaction Shard::TakeDeferred(persistence::ShardTransaction& tx) {
  persistence::ShardTransaction taken;
  taken.done_transfer_tasks.swap(deferred_transfer_);
  taken.done_timer_tasks.swap(deferred_timer_);
  AppendDone(taken, tx.done_transfer_tasks, tx.done_timer_tasks);
  return taken;
}

void Shard::PutBackDeferred(const persistence::ShardTransaction& taken) {
  AppendDone(taken, deferred_transfer_, deferred_timer_);
}

void Shard::FlushDeferred() {
  if (lost_ || (deferred_transfer_.empty() && deferred_timer_.empty())) return;
  persistence::ShardTransaction tx;
  const persistence::ShardTransaction taken = TakeDeferred(tx);
  absl::Status status = store_.Commit(id_, range_id_, tx);
  if (status.ok()) return;
  if (errors::IsShardOwnershipLost(status)) {
    lost_ = true;  // the next owner does them again
    return;
  }
  spdlog::warn("shard {}: cannot delete {} completed tasks, retrying: {}", id_,
               taken.done_transfer_tasks.size() + taken.done_timer_tasks.size(), status.ToString());
  PutBackDeferred(taken);
  RetryLater(&Shard::FlushDeferred);
}

}  // namespace zaman::history

#include "matching/matching_engine.h"

#include "common/errors.h"
#include "matching/partition.h"
#include "spdlog/spdlog.h"

namespace zaman::matching {

MatchingEngine::MatchingEngine(Clock& clock, TimerService& timers, BacklogOptions backlog)
    : clock_(clock), timers_(timers), backlog_(backlog) {}

MatchingEngine::~MatchingEngine() { Shutdown(); }

namespace {

metrics::OperationMetrics& AddTaskOperation(TransferTask::Kind kind) {
  static auto* workflow = new metrics::OperationMetrics(metrics::Service::kMatching, "AddWorkflowTask");
  static auto* activity = new metrics::OperationMetrics(metrics::Service::kMatching, "AddActivityTask");
  return kind == TransferTask::ACTIVITY_TASK ? *activity : *workflow;
}

persistence::PartitionKey PartitionOf(const TaskQueueKey& key) {
  const auto& [namespace_id, name, kind] = key;
  return {namespace_id, name,
          kind == TransferTask::ACTIVITY_TASK ? persistence::TaskQueueKind::kActivity
                                              : persistence::TaskQueueKind::kWorkflow,
          0};
}

}  // namespace

MatchingEngine::Queue& MatchingEngine::QueueOf(const TaskQueueKey& key, const TransferTask* task) {
  Queue& queue = queues_[key];
  if (queue.metrics == nullptr && task != nullptr) {
    const auto& [namespace_id, name, kind] = key;
    queue.metrics = std::make_unique<metrics::TaskQueueMetrics>(
        namespace_id, ParsePartition(name).first, task->task_queue().kind() == temporal::api::enums::v1::TASK_QUEUE_KIND_STICKY,
        kind == TransferTask::ACTIVITY_TASK);
    queue.add_task = &AddTaskOperation(kind).For(metrics::NamespaceName(namespace_id));
  }
  return queue;
}

bool MatchingEngine::AddTask(const TransferTask& task) { return Match(task, /*backlog=*/true) == Outcome::kStored; }

bool MatchingEngine::TryMatch(const TransferTask& task) {
  return Match(task, /*backlog=*/false) == Outcome::kMatched;
}

TransferTask MatchingEngine::PopBacklog(Queue& queue) {
  Backlogged& first = queue.backlog.front();
  TransferTask task = std::move(first.task);
  if (first.stored_id != 0) {
    queue.stored.handed_level = std::max(queue.stored.handed_level, first.stored_id);
    --queue.stored.in_buffer;
    ++queue.stored.handed_unacked;
  }
  queue.backlog.pop_front();
  if (queue.metrics != nullptr) queue.metrics->BacklogIs(queue.backlog.size());
  return task;
}

std::optional<TransferTask> MatchingEngine::TryTake(const TaskQueueKey& key) {
  std::optional<TransferTask> task;
  bool refill = false;
  {
    absl::MutexLock lock(&mu_);
    auto it = queues_.find(key);
    if (it == queues_.end() || it->second.backlog.empty()) return std::nullopt;
    Queue& queue = it->second;
    task = PopBacklog(queue);
    refill = NeedsRefill(queue);
  }
  if (refill) RefillAndDeliver(key);
  return task;
}

MatchingEngine::Outcome MatchingEngine::Match(const TransferTask& task, bool backlog) {
  TaskQueueKey key{task.namespace_id(), task.task_queue().name(), task.kind()};
  std::function<void(std::optional<TransferTask>)> deliver;
  std::vector<std::function<void(std::optional<TransferTask>)>> gone;  // answered empty
  std::optional<metrics::RequestTimer> counted;
  bool spill = false;
  {
    absl::MutexLock lock(&mu_);
    Queue& queue = QueueOf(key, &task);
    counted.emplace(AddTaskOperation(task.kind()), *queue.add_task);
    deliver = NextPoller(queue, gone);
    // Sticky tasks move to the normal queue when their worker goes; query
    // tasks are only for a poller that is there now.
    const bool memory_only = task.task_queue().kind() == temporal::api::enums::v1::TASK_QUEUE_KIND_STICKY ||
                             !task.query_id().empty();
    if (deliver) {
      queue.metrics->TaskMatched(/*sync=*/true, absl::ZeroDuration());
    } else if (!backlog) {
      // offered only: a poller now or nothing
    } else if (backlog_.store != nullptr && !memory_only &&
               (task.matching_owned() || queue.stored.more || queue.backlog.size() >= backlog_.buffer_size)) {
      // Behind what the store holds already, or the buffer is full, or
      // nobody else keeps the task.
      spill = true;
    } else {
      queue.backlog.push_back({task, clock_.Now()});
      queue.metrics->BacklogIs(queue.backlog.size());
    }
  }
  for (auto& on_done : gone) on_done(std::nullopt);
  if (deliver) {
    deliver(task);  // sync match
    return Outcome::kMatched;
  }
  if (!spill) return backlog ? Outcome::kBuffered : Outcome::kNotTaken;
  std::vector<Delivery> deliveries;
  bool stored = false;
  {
    absl::MutexLock store_lock(&store_mu_);
    stored = Spill(key, task);
    if (!stored) {
      // The store refused: the task waits in memory after all (history's
      // outbox still holds it too, so nothing is lost either way).
      absl::MutexLock lock(&mu_);
      Queue& queue = QueueOf(key, &task);
      queue.backlog.push_back({task, clock_.Now()});
      queue.metrics->BacklogIs(queue.backlog.size());
    }
    // A poll may have parked meanwhile, or the buffer drained.
    deliveries = Refill(key);
  }
  for (auto& [on_done, t] : deliveries) on_done(std::move(t));
  return stored ? Outcome::kStored : Outcome::kBuffered;
}

std::function<void(std::optional<TransferTask>)> MatchingEngine::NextPoller(
    Queue& queue, std::vector<std::function<void(std::optional<TransferTask>)>>& gone) {
  while (!queue.pollers.empty()) {
    Poller poller = std::move(queue.pollers.front());
    queue.pollers.pop_front();
    // A poll whose deadline is passing right now (its timer could not be
    // cancelled) is answered empty: once out of the list, Expire no
    // longer finds it.
    if (!timers_.Cancel(poller.timer) || (poller.abandoned && poller.abandoned())) {
      gone.push_back(std::move(poller.on_done));
    } else {
      return std::move(poller.on_done);
    }
  }
  return nullptr;
}

bool MatchingEngine::Lease(const TaskQueueKey& key) {
  absl::StatusOr<persistence::PartitionLease> lease = backlog_.store->AcquirePartition(PartitionOf(key));
  if (!lease.ok()) {
    spdlog::warn("matching: cannot take {}: {}", persistence::DescribePartition(PartitionOf(key)),
                 lease.status().ToString());
    return false;
  }
  absl::MutexLock lock(&mu_);
  StoredPartition& stored = QueueOf(key, nullptr).stored;
  stored.range_id = lease->range_id;
  stored.next_seq = 0;
  // What was done before is done; what this host read already is in its
  // buffer. The store may hold anything above.
  stored.read_level = std::max(stored.read_level, lease->ack_level);
  stored.handed_level = std::max(stored.handed_level, lease->ack_level);
  stored.acked_level = std::max(stored.acked_level, lease->ack_level);
  stored.more = true;
  stored.opened = true;
  return true;
}

bool MatchingEngine::Spill(const TaskQueueKey& key, const TransferTask& task) {
  const persistence::PartitionKey partition = PartitionOf(key);
  for (int attempt = 0; attempt < 2; ++attempt) {
    persistence::QueuedTask queued;
    int64_t range_id = 0;
    {
      absl::MutexLock lock(&mu_);
      StoredPartition& stored = QueueOf(key, &task).stored;
      if (stored.next_seq >= (int64_t{1} << persistence::kTaskIdRangeBits)) stored.range_id = 0;  // ids used up
      range_id = stored.range_id;
      queued.task_id = (range_id << persistence::kTaskIdRangeBits) | stored.next_seq++;
    }
    if (range_id == 0) {
      if (!Lease(key)) return false;
      continue;
    }
    queued.task = task;
    queued.task.set_matching_owned(true);
    queued.created_at = clock_.Now();
    absl::Status added = backlog_.store->AddTasks(partition, range_id, {queued});
    absl::MutexLock lock(&mu_);
    StoredPartition& stored = QueueOf(key, &task).stored;
    if (added.ok()) {
      stored.more = true;
      return true;
    }
    spdlog::warn("matching: cannot add a task to {}: {}", persistence::DescribePartition(partition), added.ToString());
    if (!errors::IsTaskQueueOwnershipLost(added)) return false;
    stored.range_id = 0;  // another host took it; take it back once
  }
  return false;
}

bool MatchingEngine::NeedsRefill(const Queue& queue) const {
  if (backlog_.store == nullptr) return false;
  const StoredPartition& stored = queue.stored;
  if (!stored.opened) return true;
  if (stored.more && (!queue.pollers.empty() || queue.backlog.size() <= backlog_.buffer_size / 2)) return true;
  // Everything read was handed out: record it.
  return stored.in_buffer == 0 && stored.handed_level > stored.acked_level;
}

std::vector<MatchingEngine::Delivery> MatchingEngine::Refill(const TaskQueueKey& key) {
  const persistence::PartitionKey partition = PartitionOf(key);
  StoredPartition stored;
  {
    absl::MutexLock lock(&mu_);
    auto it = queues_.find(key);
    if (shut_down_ || it == queues_.end() || !NeedsRefill(it->second)) return {};
    stored = it->second.stored;
  }
  if (stored.range_id == 0) {
    if (!Lease(key)) return {};
    absl::MutexLock lock(&mu_);
    stored = QueueOf(key, nullptr).stored;
  }
  if (stored.handed_level > stored.acked_level) {
    absl::Status acked = backlog_.store->CompleteTasksUpTo(partition, stored.range_id, stored.handed_level);
    absl::MutexLock lock(&mu_);
    StoredPartition& now = QueueOf(key, nullptr).stored;
    if (acked.ok()) {
      now.acked_level = std::max(now.acked_level, stored.handed_level);
      // Those handed out since the snapshot have higher ids: still stored.
      now.handed_unacked = std::max<int64_t>(0, now.handed_unacked - stored.handed_unacked);
    } else if (errors::IsTaskQueueOwnershipLost(acked)) {
      now.range_id = 0;  // the next refill takes it again
    }
  }
  if (!stored.more) return {};
  absl::StatusOr<std::vector<persistence::QueuedTask>> page =
      backlog_.store->ReadTasks(partition, stored.read_level, backlog_.page_size);
  if (!page.ok()) {
    spdlog::warn("matching: cannot read {}: {}", persistence::DescribePartition(partition), page.status().ToString());
    return {};
  }
  std::vector<Delivery> deliveries;
  std::vector<std::function<void(std::optional<TransferTask>)>> gone;
  {
    absl::MutexLock lock(&mu_);
    auto it = queues_.find(key);
    if (it == queues_.end()) return {};  // dropped meanwhile: the next owner reads them
    Queue& queue = it->second;
    for (persistence::QueuedTask& read : *page) {
      queue.stored.read_level = std::max(queue.stored.read_level, read.task_id);
      if (auto on_done = NextPoller(queue, gone)) {
        queue.stored.handed_level = std::max(queue.stored.handed_level, read.task_id);
        ++queue.stored.handed_unacked;
        deliveries.emplace_back(std::move(on_done), std::move(read.task));
      } else {
        queue.backlog.push_back({std::move(read.task), read.created_at, read.task_id});
        ++queue.stored.in_buffer;
      }
    }
    if (static_cast<int>(page->size()) < backlog_.page_size) queue.stored.more = false;
    if (queue.metrics != nullptr) queue.metrics->BacklogIs(queue.backlog.size());
  }
  for (auto& on_done : gone) deliveries.emplace_back(std::move(on_done), std::nullopt);
  return deliveries;
}

void MatchingEngine::RefillAndDeliver(const TaskQueueKey& key) {
  std::vector<Delivery> deliveries;
  {
    absl::MutexLock store_lock(&store_mu_);
    deliveries = Refill(key);
  }
  for (auto& [on_done, task] : deliveries) on_done(std::move(task));
}

void MatchingEngine::Poll(const TaskQueueKey& key, const std::string& identity, absl::Time deadline,
                          std::function<bool()> abandoned,
                          std::function<void(std::optional<TransferTask>)> on_done) {
  std::optional<TransferTask> task;
  bool parked = false;
  bool refill = false;
  {
    absl::MutexLock lock(&mu_);
    if (!shut_down_) {
      Queue& queue = QueueOf(key, nullptr);
      queue.poller_seen[identity] = clock_.Now();
      if (!queue.backlog.empty()) {
        if (queue.metrics != nullptr) {
          queue.metrics->TaskMatched(/*sync=*/false, clock_.Now() - queue.backlog.front().since);
        }
        task = PopBacklog(queue);
      } else {
        uint64_t id = next_poller_id_++;
        TimerService::TimerId timer = timers_.Schedule(deadline, [this, key, id] { Expire(key, id); });
        queue.pollers.push_back(Poller{id, std::move(abandoned), std::move(on_done), timer});
        parked = true;
      }
      refill = NeedsRefill(queue);
    }
  }
  if (!parked) on_done(std::move(task));
  if (refill) RefillAndDeliver(key);
}

void MatchingEngine::Expire(const TaskQueueKey& key, uint64_t poller_id) {
  std::function<void(std::optional<TransferTask>)> on_done;
  {
    absl::MutexLock lock(&mu_);
    auto it = queues_.find(key);
    if (it == queues_.end()) return;
    auto& pollers = it->second.pollers;
    for (auto p = pollers.begin(); p != pollers.end(); ++p) {
      if (p->id == poller_id) {
        on_done = std::move(p->on_done);
        pollers.erase(p);
        if (it->second.metrics != nullptr) it->second.metrics->PollTimedOut();
        break;
      }
    }
  }
  if (on_done) on_done(std::nullopt);
}

bool MatchingEngine::StickyWorkerAvailable(const std::string& namespace_id, const std::string& sticky_queue) {
  absl::MutexLock lock(&mu_);
  auto it = queues_.find(TaskQueueKey{namespace_id, sticky_queue, TransferTask::WORKFLOW_TASK});
  if (it == queues_.end()) return false;
  if (!it->second.pollers.empty()) return true;
  const absl::Time now = clock_.Now();
  for (const auto& [identity, seen] : it->second.poller_seen) {
    if (now - seen < kStickyPollerGone) return true;
  }
  return false;
}

std::vector<TransferTask> MatchingEngine::DropStickyQueue(const std::string& namespace_id,
                                                          const std::string& sticky_queue) {
  Queue dropped;
  {
    absl::MutexLock lock(&mu_);
    auto it = queues_.find(TaskQueueKey{namespace_id, sticky_queue, TransferTask::WORKFLOW_TASK});
    if (it == queues_.end()) return {};
    dropped = std::move(it->second);
    queues_.erase(it);
  }
  for (Poller& p : dropped.pollers) {
    timers_.Cancel(p.timer);  // out of the list: only this answers it
    p.on_done(std::nullopt);
  }
  std::vector<TransferTask> tasks;
  for (Backlogged& waiting : dropped.backlog) tasks.push_back(std::move(waiting.task));
  return tasks;
}

std::vector<PollerInfo> MatchingEngine::Pollers(const TaskQueueKey& key) {
  absl::MutexLock lock(&mu_);
  std::vector<PollerInfo> pollers;
  auto it = queues_.find(key);
  if (it == queues_.end()) return pollers;
  for (const auto& [identity, seen] : it->second.poller_seen) pollers.push_back({identity, seen});
  return pollers;
}

int MatchingEngine::DropQueues(const std::function<bool(const TaskQueueKey&)>& moved) {
  std::vector<Queue> dropped;
  {
    absl::MutexLock lock(&mu_);
    for (auto it = queues_.begin(); it != queues_.end();) {
      if (!moved(it->first)) {
        ++it;
        continue;
      }
      dropped.push_back(std::move(it->second));
      it = queues_.erase(it);
    }
  }
  for (Queue& queue : dropped) {
    for (Poller& p : queue.pollers) {
      timers_.Cancel(p.timer);  // out of the list: only this answers it
      p.on_done(std::nullopt);
    }
  }
  return static_cast<int>(dropped.size());
}

int64_t MatchingEngine::BacklogSize(const TaskQueueKey& key) {
  absl::MutexLock lock(&mu_);
  auto it = queues_.find(key);
  return it == queues_.end() ? 0 : static_cast<int64_t>(it->second.backlog.size());
}

absl::StatusOr<MatchingEngine::Backlog> MatchingEngine::DescribeBacklog(const TaskQueueKey& key) {
  int64_t in_memory = 0;
  absl::Time oldest = absl::InfiniteFuture();
  StoredPartition stored;
  // Held across the store reads: no spill or refill moves tasks between
  // the store and the buffer, or completes them, meanwhile.
  std::optional<absl::MutexLock> store_lock;
  if (backlog_.store != nullptr) store_lock.emplace(&store_mu_);
  {
    absl::MutexLock lock(&mu_);
    auto it = queues_.find(key);
    if (it != queues_.end()) {
      in_memory = static_cast<int64_t>(it->second.backlog.size());
      if (in_memory > 0) oldest = it->second.backlog.front().since;
      stored = it->second.stored;
    }
  }
  int64_t unread = 0;
  if (backlog_.store != nullptr && (!stored.opened || stored.more)) {
    const persistence::PartitionKey partition = PartitionOf(key);
    absl::StatusOr<int64_t> count = backlog_.store->CountTasks(partition);
    if (!count.ok()) return count.status();
    // The stored tasks in the buffer, and those handed out but not yet
    // completed, are still in the store too.
    unread = std::max<int64_t>(0, *count - stored.in_buffer - stored.handed_unacked);
    // The buffer's first task is older than what waits behind it in the
    // store, unless a previous owner stored those.
    if (unread > 0 && (in_memory == 0 || !stored.opened)) {
      absl::StatusOr<std::vector<persistence::QueuedTask>> first =
          backlog_.store->ReadTasks(partition, stored.read_level, 1);
      if (!first.ok()) return first.status();
      if (!first->empty()) oldest = std::min(oldest, first->front().created_at);
    }
  }
  Backlog backlog;
  backlog.status = {in_memory + unread, stored.read_level, stored.acked_level, stored.range_id};
  if (oldest != absl::InfiniteFuture()) backlog.oldest_age = std::max(absl::ZeroDuration(), clock_.Now() - oldest);
  return backlog;
}

void MatchingEngine::Shutdown() {
  std::vector<Poller> parked;
  {
    absl::MutexLock lock(&mu_);
    shut_down_ = true;
    for (auto& [key, queue] : queues_) {
      for (Poller& p : queue.pollers) parked.push_back(std::move(p));
      queue.pollers.clear();
    }
  }
  for (Poller& p : parked) {
    timers_.Cancel(p.timer);
    p.on_done(std::nullopt);
  }
}

}  // namespace zaman::matching

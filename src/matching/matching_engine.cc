#include "matching/matching_engine.h"

namespace zaman::matching {

MatchingEngine::MatchingEngine(Clock& clock, TimerService& timers) : clock_(clock), timers_(timers) {}

MatchingEngine::~MatchingEngine() { Shutdown(); }

namespace {

metrics::OperationMetrics& AddTaskOperation(TransferTask::Kind kind) {
  static auto* workflow = new metrics::OperationMetrics(metrics::Service::kMatching, "AddWorkflowTask");
  static auto* activity = new metrics::OperationMetrics(metrics::Service::kMatching, "AddActivityTask");
  return kind == TransferTask::ACTIVITY_TASK ? *activity : *workflow;
}

}  // namespace

MatchingEngine::Queue& MatchingEngine::QueueOf(const TaskQueueKey& key, const TransferTask* task) {
  Queue& queue = queues_[key];
  if (queue.metrics == nullptr && task != nullptr) {
    const auto& [namespace_id, name, kind] = key;
    queue.metrics = std::make_unique<metrics::TaskQueueMetrics>(
        namespace_id, name, task->task_queue().kind() == temporal::api::enums::v1::TASK_QUEUE_KIND_STICKY,
        kind == TransferTask::ACTIVITY_TASK);
    queue.add_task = &AddTaskOperation(kind).For(metrics::NamespaceName(namespace_id));
  }
  return queue;
}

void MatchingEngine::AddTask(const TransferTask& task) {
  TaskQueueKey key{task.namespace_id(), task.task_queue().name(), task.kind()};
  std::function<void(std::optional<TransferTask>)> deliver;
  std::vector<std::function<void(std::optional<TransferTask>)>> gone;  // answered empty
  std::optional<metrics::RequestTimer> counted;
  {
    absl::MutexLock lock(&mu_);
    Queue& queue = QueueOf(key, &task);
    counted.emplace(AddTaskOperation(task.kind()), *queue.add_task);
    while (!queue.pollers.empty() && !deliver) {
      Poller poller = std::move(queue.pollers.front());
      queue.pollers.pop_front();
      // A poll whose deadline is passing right now (its timer could not be
      // cancelled) is answered empty: once out of the list, Expire no
      // longer finds it.
      if (!timers_.Cancel(poller.timer) || (poller.abandoned && poller.abandoned())) {
        gone.push_back(std::move(poller.on_done));
      } else {
        deliver = std::move(poller.on_done);
      }
    }
    if (deliver) {
      queue.metrics->TaskMatched(/*sync=*/true, absl::ZeroDuration());
    } else {
      queue.backlog.push_back({task, clock_.Now()});
      queue.metrics->BacklogIs(queue.backlog.size());
    }
  }
  for (auto& on_done : gone) on_done(std::nullopt);
  if (deliver) deliver(task);  // sync match
}

void MatchingEngine::Poll(const TaskQueueKey& key, const std::string& identity, absl::Time deadline,
                          std::function<bool()> abandoned,
                          std::function<void(std::optional<TransferTask>)> on_done) {
  std::optional<TransferTask> task;
  {
    absl::MutexLock lock(&mu_);
    if (!shut_down_) {
      Queue& queue = QueueOf(key, nullptr);
      queue.poller_seen[identity] = clock_.Now();
      if (!queue.backlog.empty()) {
        task = std::move(queue.backlog.front().task);
        queue.metrics->TaskMatched(/*sync=*/false, clock_.Now() - queue.backlog.front().since);
        queue.backlog.pop_front();
        queue.metrics->BacklogIs(queue.backlog.size());
      } else {
        uint64_t id = next_poller_id_++;
        TimerService::TimerId timer = timers_.Schedule(deadline, [this, key, id] { Expire(key, id); });
        queue.pollers.push_back(Poller{id, std::move(abandoned), std::move(on_done), timer});
        return;
      }
    }
  }
  on_done(std::move(task));
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

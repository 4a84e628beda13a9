#include "matching/rpc/routed_matching_client.h"

#include <map>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "matching/partition.h"
#include "matching/rpc/matching_peer.h"

namespace zaman::matching::rpc {

using zaman::rpc::kRoutingBudget;

namespace {

absl::Time Budget() { return absl::Now() + kRoutingBudget; }

TaskQueueKey QueueOf(const TransferTask& task) {
  return {task.namespace_id(), task.task_queue().name(), task.kind()};
}

// A Status-only answer, as the router's StatusOr.
std::function<void(absl::Status)> AsStatus(std::function<void(absl::StatusOr<bool>)> d) {
  return [d = std::move(d)](absl::Status s) {
    if (s.ok()) return d(true);
    d(std::move(s));
  };
}

}  // namespace

RoutedMatchingClient::RoutedMatchingClient(membership::Resolver& resolver, zaman::rpc::ChannelPool& channels,
                                           MatchingClient* local, TimerService& timers, int partitions)
    : partitions_(partitions),
      router_(resolver, membership::Role::kMatching, channels, local, timers,
              [](std::shared_ptr<grpc::Channel> channel) -> std::unique_ptr<MatchingClient> {
                return std::make_unique<GrpcMatchingPeer>(std::move(channel));
              }) {}

std::string RoutedMatchingClient::KeyOf(const TaskQueueKey& queue) {
  return absl::StrCat(std::get<0>(queue), "/", std::get<1>(queue), "/", static_cast<int>(std::get<2>(queue)));
}

std::string RoutedMatchingClient::PickPartition(const std::string& name, bool sticky) {
  if (sticky || partitions_ <= 1) return name;
  thread_local absl::BitGen random;
  return PartitionName(name, absl::Uniform(random, 0, partitions_));
}

void RoutedMatchingClient::AddTask(const TransferTask& task, std::function<void(absl::StatusOr<bool>)> done) {
  TransferTask routed = task;
  routed.mutable_task_queue()->set_name(PickPartition(
      task.task_queue().name(), task.task_queue().kind() == temporal::api::enums::v1::TASK_QUEUE_KIND_STICKY ||
                                    !task.query_id().empty()));
  router_.Route<bool>(
      KeyOf(QueueOf(routed)), Budget(),
      [routed](MatchingClient& c, std::function<void(absl::StatusOr<bool>)> d) { c.AddTask(routed, std::move(d)); },
      std::move(done));
}

void RoutedMatchingClient::OfferTask(const TransferTask& task, std::function<void(absl::StatusOr<bool>)> done) {
  router_.Route<bool>(
      KeyOf(QueueOf(task)), Budget(), [task](MatchingClient& c, auto d) { c.OfferTask(task, std::move(d)); },
      std::move(done));
}

void RoutedMatchingClient::Poll(const TaskQueueKey& queue, bool sticky, const std::string& identity,
                                absl::Time deadline, std::function<bool()> abandoned,
                                std::function<void(std::optional<PolledTask>)> on_done) {
  using Polled = std::optional<PolledTask>;
  const TaskQueueKey partition{std::get<0>(queue), PickPartition(std::get<1>(queue), sticky), std::get<2>(queue)};
  router_.Route<Polled>(
      KeyOf(partition), deadline,
      [partition, sticky, identity, deadline, abandoned](MatchingClient& c,
                                                         std::function<void(absl::StatusOr<Polled>)> d) {
        // A peer reports a failed call, so that the poll moves to the
        // queue's next owner; this host's own matching cannot fail.
        if (auto* peer = dynamic_cast<GrpcMatchingPeer*>(&c)) {
          return peer->PollOrFail(partition, sticky, identity, deadline, d);
        }
        c.Poll(partition, sticky, identity, deadline, abandoned, [d](Polled polled) { d(std::move(polled)); });
      },
      [this, abandoned, on_done = std::move(on_done)](absl::StatusOr<Polled> polled) {
        if (!polled.ok() || !polled->has_value()) return on_done(std::nullopt);
        // A task from a partition's backlog still names the partition:
        // the worker and history know the queue by its own name.
        TransferTask& task = (*polled)->task;
        task.mutable_task_queue()->set_name(ParsePartition(task.task_queue().name()).first);
        // The worker went away while a remote host matched it: the task
        // goes back (query tasks too: their caller still waits).
        if (abandoned && abandoned()) {
          AddTask(task, [](absl::StatusOr<bool>) {});
          return on_done(std::nullopt);
        }
        on_done(*std::move(polled));
      });
}

absl::StatusOr<std::vector<TransferTask>> RoutedMatchingClient::DropStickyQueue(const std::string& namespace_id,
                                                                                const std::string& sticky_queue) {
  return router_.RouteBlocking<std::vector<TransferTask>>(
      KeyOf({namespace_id, sticky_queue, TransferTask::WORKFLOW_TASK}), Budget(),
      [&](MatchingClient& c) { return c.DropStickyQueue(namespace_id, sticky_queue); });
}

absl::StatusOr<TaskQueueDescription> RoutedMatchingClient::Describe(const TaskQueueKey& queue, bool sticky) {
  auto describe = [&](const TaskQueueKey& partition) {
    return router_.RouteBlocking<TaskQueueDescription>(
        KeyOf(partition), Budget(), [&](MatchingClient& c) { return c.Describe(partition, sticky); });
  };
  // A partition named, or a queue that has only one: asked as it is.
  if (sticky || partitions_ <= 1 || ParsePartition(std::get<1>(queue)).second != 0) return describe(queue);
  // The root: every partition's pollers (each worker once, with its latest
  // poll), backlogs and rates summed, the oldest task's age.
  TaskQueueDescription whole;
  std::map<std::string, absl::Time> latest;
  for (int p = 0; p < partitions_; ++p) {
    absl::StatusOr<TaskQueueDescription> part =
        describe({std::get<0>(queue), PartitionName(std::get<1>(queue), p), std::get<2>(queue)});
    if (!part.ok()) return part.status();
    for (const PollerInfo& poller : part->pollers) {
      absl::Time& seen = latest[poller.identity];
      seen = std::max(seen, poller.last_access_time);
    }
    whole.stats.backlog_count += part->stats.backlog_count;
    whole.stats.backlog_age = std::max(whole.stats.backlog_age, part->stats.backlog_age);
    whole.stats.add_rate += part->stats.add_rate;
    whole.stats.dispatch_rate += part->stats.dispatch_rate;
    if (p == 0) whole.status = part->status;
  }
  for (const auto& [identity, seen] : latest) whole.pollers.push_back({identity, seen});
  return whole;
}

void RoutedMatchingClient::QueryWorkflow(const TransferTask& query_task,
                                         temporal::api::query::v1::WorkflowQuery query, absl::Time deadline,
                                         std::function<void(absl::StatusOr<QueryAnswer>)> done) {
  router_.Route<QueryAnswer>(
      KeyOf(QueueOf(query_task)), deadline,
      [query_task, query, deadline](MatchingClient& c, auto d) {
        c.QueryWorkflow(query_task, query, deadline, std::move(d));
      },
      std::move(done));
}

void RoutedMatchingClient::RespondQueryTask(const TaskQueueKey& queue, const std::string& query_id,
                                            QueryAnswer answer, std::function<void(absl::Status)> done) {
  router_.Route<bool>(
      KeyOf(queue), Budget(),
      [queue, query_id, answer](MatchingClient& c, std::function<void(absl::StatusOr<bool>)> d) {
        c.RespondQueryTask(queue, query_id, answer, AsStatus(std::move(d)));
      },
      [done = std::move(done)](absl::StatusOr<bool> answered) { done(answered.status()); });
}

}  // namespace zaman::matching::rpc

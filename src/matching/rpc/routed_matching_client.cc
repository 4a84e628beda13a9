#include "matching/rpc/routed_matching_client.h"

#include "absl/strings/str_cat.h"
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
                                           MatchingClient* local, TimerService& timers)
    : router_(resolver, membership::Role::kMatching, channels, local, timers,
              [](std::shared_ptr<grpc::Channel> channel) -> std::unique_ptr<MatchingClient> {
                return std::make_unique<GrpcMatchingPeer>(std::move(channel));
              }) {}

std::string RoutedMatchingClient::KeyOf(const TaskQueueKey& queue) {
  return absl::StrCat(std::get<0>(queue), "/", std::get<1>(queue), "/", static_cast<int>(std::get<2>(queue)));
}

void RoutedMatchingClient::AddTask(const TransferTask& task, std::function<void(absl::Status)> done) {
  router_.Route<bool>(
      KeyOf(QueueOf(task)), Budget(),
      [task](MatchingClient& c, std::function<void(absl::StatusOr<bool>)> d) { c.AddTask(task, AsStatus(std::move(d))); },
      [done = std::move(done)](absl::StatusOr<bool> added) { done(added.status()); });
}

void RoutedMatchingClient::Poll(const TaskQueueKey& queue, const std::string& identity, absl::Time deadline,
                                std::function<bool()> abandoned,
                                std::function<void(std::optional<PolledTask>)> on_done) {
  using Polled = std::optional<PolledTask>;
  router_.Route<Polled>(
      KeyOf(queue), deadline,
      [queue, identity, deadline, abandoned](MatchingClient& c, std::function<void(absl::StatusOr<Polled>)> d) {
        // A peer reports a failed call, so that the poll moves to the
        // queue's next owner; this host's own matching cannot fail.
        if (auto* peer = dynamic_cast<GrpcMatchingPeer*>(&c)) return peer->PollOrFail(queue, identity, deadline, d);
        c.Poll(queue, identity, deadline, abandoned, [d](Polled polled) { d(std::move(polled)); });
      },
      [this, abandoned, on_done = std::move(on_done)](absl::StatusOr<Polled> polled) {
        if (!polled.ok() || !polled->has_value()) return on_done(std::nullopt);
        // The worker went away while a remote host matched it: the task
        // goes back (query tasks too: their caller still waits).
        if (abandoned && abandoned()) {
          AddTask((*polled)->task, [](absl::Status) {});
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

absl::StatusOr<std::vector<PollerInfo>> RoutedMatchingClient::Pollers(const TaskQueueKey& queue) {
  return router_.RouteBlocking<std::vector<PollerInfo>>(KeyOf(queue), Budget(),
                                                         [&](MatchingClient& c) { return c.Pollers(queue); });
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

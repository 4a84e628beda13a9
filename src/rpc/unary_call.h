#pragma once

#include <functional>
#include <memory>

#include <grpcpp/client_context.h>

#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "rpc/status_codec.h"

namespace zaman::rpc {

// How long an internal call may take when its caller set no deadline.
inline constexpr absl::Duration kDefaultCallTimeout = absl::Seconds(30);
// A long poll's call outlives the poll's own deadline by this much, so the
// peer answers (empty) before the call itself times out.
inline constexpr absl::Duration kLongPollSlack = absl::Seconds(5);

// One asynchronous unary call on a generated stub's callback API.
// `invoke(context, request, response, on_status)` starts it; `convert`
// turns the response into what `done` takes. The call's state lives until
// the call ends.
template <typename Request, typename Response, typename Out, typename Invoke, typename Convert>
void AsyncUnary(Invoke invoke, Request request, absl::Time deadline, Convert convert,
                std::function<void(absl::StatusOr<Out>)> done) {
  struct Call {
    grpc::ClientContext context;
    Request request;
    Response response;
  };
  auto call = std::make_shared<Call>();
  call->request = std::move(request);
  call->context.set_deadline(absl::ToChronoTime(deadline));
  invoke(&call->context, &call->request, &call->response,
         [call, convert = std::move(convert), done = std::move(done)](grpc::Status status) {
           if (!status.ok()) return done(FromWire(status));
           done(convert(call->response));
         });
}

// The same, blocking.
template <typename Request, typename Response, typename Invoke>
absl::StatusOr<Response> BlockingUnary(Invoke invoke, const Request& request,
                                       absl::Time deadline = absl::Now() + kDefaultCallTimeout) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(deadline));
  Response response;
  grpc::Status status = invoke(&context, request, &response);
  if (!status.ok()) return FromWire(status);
  return response;
}

}  // namespace zaman::rpc

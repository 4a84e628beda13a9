#include "http/gateway.h"

#include <google/protobuf/dynamic_message.h>
#include <grpcpp/generic/generic_stub.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "http/http_error.h"
#include "http/request_binding.h"

namespace zaman::http {
namespace {

constexpr char kNoShorthand[] = "+no-payload-shorthand";

// The media type of a header value, without parameters, in lower case.
std::string MediaType(const std::multimap<std::string, std::string>& headers, const std::string& name) {
  auto it = headers.find(name);
  if (it == headers.end()) return "";
  std::string value = it->second.substr(0, it->second.find(';'));
  return absl::AsciiStrToLower(absl::StripAsciiWhitespace(value));
}

// What the reply looks like: grpc-gateway picks a marshaler by Accept, which
// ?pretty and ?noPayloadShorthand replace.
JsonStyle ReplyStyle(const HttpCall& call) {
  std::string accept = MediaType(call.headers, "accept");
  bool pretty_param = call.query.count("pretty") > 0;
  bool full_param = call.query.count("noPayloadShorthand") > 0;
  if (pretty_param || full_param) {
    accept = absl::StrCat("application/json", pretty_param ? "+pretty" : "", full_param ? kNoShorthand : "");
  }
  JsonStyle style;
  style.pretty = accept == "application/json+pretty" || accept == "application/json+pretty+no-payload-shorthand";
  style.payload_shorthand =
      accept != "application/json+no-payload-shorthand" && accept != "application/json+pretty+no-payload-shorthand";
  return style;
}

bool RequestShorthand(const HttpCall& call) { return !absl::EndsWith(MediaType(call.headers, "content-type"), kNoShorthand); }

bool ValidMetadata(const std::string& key, const std::string& value) {
  if (key.empty() || absl::EndsWith(key, "-bin")) return false;
  for (char c : key) {
    if (!(absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '-' || c == '_' || c == '.')) return false;
  }
  for (char c : value) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

// The headers Temporal's HTTP API passes on as gRPC metadata: Authorization
// (what an authorizer reads), a few named ones, and Grpc-Metadata-<name>.
void ForwardHeaders(const HttpCall& call, const GatewayOptions& options, grpc::ClientContext& context) {
  bool has_name = false, has_version = false;
  for (const auto& [name, value] : call.headers) {
    std::string key;
    if (name == "authorization" || name == "authorization-extras" || name == "x-forwarded-for" ||
        name == "client-name" || name == "client-version") {
      key = name;
    } else if (absl::StartsWith(name, "grpc-metadata-")) {
      key = name.substr(sizeof("grpc-metadata-") - 1);
    } else {
      continue;
    }
    if (!ValidMetadata(key, value)) continue;
    has_name |= key == "client-name";
    has_version |= key == "client-version";
    context.AddMetadata(key, value);
  }
  if (!has_name) context.AddMetadata("client-name", options.client_name);
  if (!has_version && !options.client_version.empty()) context.AddMetadata("client-version", options.client_version);
}

HttpReply ErrorReply(const grpc::Status& status, bool pretty, int http_status = 0) {
  return HttpReply{http_status != 0 ? http_status : HttpStatusFromGrpc(status.error_code()), "application/json",
                   ErrorJson(status, pretty)};
}

grpc::Status ToGrpc(const absl::Status& status) {
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()));
}

}  // namespace

Gateway::Gateway(std::shared_ptr<grpc::Channel> channel, GatewayOptions options)
    : channel_(std::move(channel)),
      options_(std::move(options)),
      routes_(TemporalPublicServices()) {}

HttpReply Gateway::Handle(const HttpCall& call) const {
  const JsonStyle style = options_.fixed_style.value_or(ReplyStyle(call));
  const bool request_shorthand = options_.fixed_style ? options_.fixed_style->payload_shorthand : RequestShorthand(call);
  const std::string path = call.target.substr(0, call.target.find('?'));

  bool path_known = false;
  RouteMatch match = routes_.Match(call.verb, path, &path_known);
  if (match.route == nullptr) {
    if (path_known) return ErrorReply(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "Method Not Allowed"), style.pretty, 405);
    return ErrorReply(grpc::Status(grpc::StatusCode::NOT_FOUND, "Not Found"), style.pretty);
  }

  const google::protobuf::MethodDescriptor* method = match.route->method;
  google::protobuf::MessageFactory* factory = google::protobuf::MessageFactory::generated_factory();
  std::unique_ptr<google::protobuf::Message> request(factory->GetPrototype(method->input_type())->New());
  std::unique_ptr<google::protobuf::Message> response(factory->GetPrototype(method->output_type())->New());
  if (absl::Status decoded = DecodeRequest(match, call.body, call.query, request_shorthand, request.get());
      !decoded.ok()) {
    return ErrorReply(ToGrpc(decoded), style.pretty);
  }

  std::string wire = request->SerializeAsString();
  grpc::Slice slice(wire);
  grpc::ByteBuffer request_buffer(&slice, 1);
  grpc::ByteBuffer response_buffer;
  grpc::ClientContext context;
  ForwardHeaders(call, options_, context);
  grpc::GenericStub stub(channel_);
  absl::Notification done;
  grpc::Status status;
  stub.UnaryCall(&context, absl::StrCat("/", method->service()->full_name(), "/", method->name()),
                 grpc::StubOptions(), &request_buffer, &response_buffer, [&](grpc::Status s) {
                   status = std::move(s);
                   done.Notify();
                 });
  done.WaitForNotification();
  if (!status.ok()) return ErrorReply(status, style.pretty);

  std::vector<grpc::Slice> slices;
  std::string reply_wire;
  if (response_buffer.Dump(&slices).ok()) {
    for (const grpc::Slice& part : slices) reply_wire.append(reinterpret_cast<const char*>(part.begin()), part.size());
  }
  if (!response->ParseFromString(reply_wire)) {
    return ErrorReply(grpc::Status(grpc::StatusCode::INTERNAL, "cannot read the reply"), style.pretty);
  }
  absl::StatusOr<std::string> json = MessageToJson(*response, style);
  if (!json.ok()) return ErrorReply(ToGrpc(json.status()), style.pretty);
  return HttpReply{200, "application/json", *std::move(json)};
}

}  // namespace zaman::http

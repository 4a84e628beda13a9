#include "http/http_server.h"

#include <httplib.h>
#include <sys/socket.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "http/http_error.h"

namespace zaman::http {
namespace {

HttpCall ToCall(const httplib::Request& request) {
  HttpCall call;
  call.verb = request.method;
  call.target = request.target;
  call.body = request.body;
  for (const auto& [name, value] : request.params) call.query.emplace(name, value);
  for (const auto& [name, value] : request.headers) call.headers.emplace(absl::AsciiStrToLower(name), value);
  return call;
}

void Write(const HttpReply& reply, httplib::Response& response) {
  response.status = reply.status;
  for (const auto& [name, value] : reply.headers) response.set_header(name, value);
  response.set_content(reply.body, reply.content_type);
}

// The library's own refusals (a body over the limit, a malformed request)
// as google.rpc.Status JSON, like every other error. An oversized body is
// 400 INVALID_ARGUMENT, as Temporal answers it.
void WriteLibraryError(httplib::Response& response) {
  if (!response.body.empty()) return;
  std::string message = response.status == 413
                            ? absl::StrCat("the request body is larger than ", kMaxRequestBytes, " bytes")
                            : absl::StrCat("malformed HTTP request (", response.status, ")");
  if (response.status == 413) response.status = 400;
  grpc::StatusCode code = grpc::StatusCode::INVALID_ARGUMENT;
  response.set_content(ErrorJson(grpc::Status(code, message), false), "application/json");
}

// SO_REUSEADDR only: the library's default adds SO_REUSEPORT, with which a
// second server would bind the same port without an error.
void SocketOptions(socket_t sock) {
  int yes = 1;
  setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
}

constexpr size_t kThreads = 16;

}  // namespace

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(const ListenOptions& options, Handler handler) {
  std::unique_ptr<HttpServer> server(new HttpServer());
  if (options.cert_file.empty()) {
    server->server_ = std::make_unique<httplib::Server>();
  } else {
    server->server_ = std::make_unique<httplib::SSLServer>(
        options.cert_file.c_str(), options.key_file.c_str(),
        options.client_ca_file.empty() ? nullptr : options.client_ca_file.c_str());
  }
  httplib::Server& http = *server->server_;
  if (!http.is_valid()) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot load the TLS certificate ", options.cert_file, " and key ", options.key_file,
                     options.client_ca_file.empty() ? "" : absl::StrCat(" or the client CA ", options.client_ca_file)));
  }
  http.new_task_queue = [] { return new httplib::ThreadPool(kThreads); };
  http.set_socket_options(SocketOptions);
  http.set_payload_max_length(kMaxRequestBytes);
  http.set_error_handler([](const httplib::Request&, httplib::Response& response) { WriteLibraryError(response); });
  auto shared = std::make_shared<Handler>(std::move(handler));
  http.Get(".*", [shared](const httplib::Request& request, httplib::Response& response) {
    Write((*shared)(ToCall(request)), response);
  });
  // Bodies are read here, as they come: left to the library, a body that
  // curl labels application/x-www-form-urlencoded (its default) would be
  // parsed as a form and refused over 8 KB.
  auto with_body = [shared](const httplib::Request& request, httplib::Response& response,
                            const httplib::ContentReader& reader) {
    HttpCall call = ToCall(request);
    bool read = reader([&call](const char* data, size_t length) {
      call.body.append(data, length);
      return true;
    });
    if (!read) {  // over the limit, or the client went away
      response.status = 413;
      WriteLibraryError(response);
      return;
    }
    Write((*shared)(call), response);
  };
  http.Post(".*", with_body);
  http.Put(".*", with_body);
  http.Patch(".*", with_body);
  http.Delete(".*", with_body);

  std::string host = options.ip;
  if (options.port == 0) {
    server->port_ = http.bind_to_any_port(host);
  } else if (http.bind_to_port(host, options.port)) {
    server->port_ = options.port;
  }
  if (server->port_ <= 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", options.ip, ":", options.port));
  }
  server->thread_ = std::thread([&http] { http.listen_after_bind(); });
  // stop() is a no-op until the accept loop runs; wait for it, so that a
  // Stop() right after Start() cannot leave the thread running.
  for (int i = 0; i < 5000 && !http.is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return server;
}

HttpServer::~HttpServer() { Stop(); }

void HttpServer::Stop() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace zaman::http

#pragma once

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "http/gateway.h"

namespace zaman::http {

// The Temporal Web UI's built app (index.html, _app/…) in a directory, served
// as the UI server does: a file when the path names one, index.html for
// every other path (the app routes in the browser). Immutable; thread-safe.
class UiAssets {
 public:
  // InvalidArgument when `dir` has no index.html.
  static absl::StatusOr<UiAssets> Open(const std::string& dir);

  // `path` is the decoded URL path ("/_app/immutable/x.js").
  HttpReply Serve(const std::string& path) const;

 private:
  UiAssets(std::string dir, std::string index) : dir_(std::move(dir)), index_(std::move(index)) {}

  std::optional<std::string> ReadFile(const std::string& path) const;

  std::string dir_;
  std::string index_;
};

}  // namespace zaman::http

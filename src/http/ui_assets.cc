#include "http/ui_assets.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace zaman::http {
namespace {

std::string ContentType(const std::string& path) {
  static const std::pair<const char*, const char*> kTypes[] = {
      {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},   {".json", "application/json"},
      {".svg", "image/svg+xml"},             {".png", "image/png"},
      {".ico", "image/x-icon"},              {".gif", "image/gif"},
      {".woff2", "font/woff2"},              {".woff", "font/woff"},
      {".ttf", "font/ttf"},                  {".webm", "video/webm"},
      {".mp4", "video/mp4"},                 {".webmanifest", "application/manifest+json"},
      {".txt", "text/plain; charset=utf-8"}, {".map", "application/json"}};
  for (const auto& [suffix, type] : kTypes) {
    if (absl::EndsWith(path, suffix)) return type;
  }
  return "application/octet-stream";
}

HttpReply Index(const std::string& index) {
  HttpReply reply{200, "text/html; charset=utf-8", index, {}};
  reply.headers.emplace("Cache-Control", "no-cache");
  return reply;
}

}  // namespace

absl::StatusOr<UiAssets> UiAssets::Open(const std::string& dir) {
  std::ifstream in(std::filesystem::path(dir) / "index.html", std::ios::binary);
  if (!in) return absl::InvalidArgumentError(absl::StrCat("no Web UI at ", dir, " (index.html is missing)"));
  std::ostringstream index;
  index << in.rdbuf();
  return UiAssets(dir, index.str());
}

std::optional<std::string> UiAssets::ReadFile(const std::string& path) const {
  // Only plain names below the directory: no "..", no hidden files.
  for (absl::string_view part : absl::StrSplit(path, '/', absl::SkipEmpty())) {
    if (part.front() == '.' || absl::StrContains(part, '\\')) return std::nullopt;
  }
  size_t start = path.find_first_not_of('/');
  if (start == std::string::npos) return std::nullopt;
  std::filesystem::path file = std::filesystem::path(dir_) / path.substr(start);
  std::error_code error;
  if (!std::filesystem::is_regular_file(file, error)) return std::nullopt;
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

HttpReply UiAssets::Serve(const std::string& path) const {
  if (path == "/" || path == "/index.html") return Index(index_);
  std::optional<std::string> file = ReadFile(path);
  if (!file) return Index(index_);
  HttpReply reply{200, ContentType(path), *std::move(file), {}};
  // Vite names immutable files by their hash.
  reply.headers.emplace("Cache-Control", absl::StartsWith(path, "/_app/immutable/")
                                             ? "public, max-age=31536000, immutable"
                                             : "no-cache");
  return reply;
}

}  // namespace zaman::http

#include "absl/strings/string_view.h"
#include "server/config.h"

#include <fstream>
#include <functional>
#include <map>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace zaman::server {
namespace {

absl::Status Bad(absl::string_view path, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": ", why));
}

std::string Join(absl::string_view parent, absl::string_view key) {
  return parent.empty() ? std::string(key) : absl::StrCat(parent, ".", key);
}

// Walks one YAML mapping; every key must be one the caller knows.
class Section {
 public:
  using Handler = std::function<absl::Status(const YAML::Node&, const std::string& path)>;

  Section& On(std::string key, Handler handler) {
    handlers_.emplace(std::move(key), std::move(handler));
    return *this;
  }

  absl::Status Apply(const YAML::Node& node, absl::string_view path) const {
    if (node.IsNull()) return absl::OkStatus();
    if (!node.IsMap()) return Bad(path.empty() ? "config" : path, "must be a mapping of settings");
    for (const auto& entry : node) {
      std::string key = entry.first.as<std::string>();
      std::string child = Join(path, key);
      auto it = handlers_.find(key);
      if (it == handlers_.end()) {
        std::vector<std::string> known;
        for (const auto& [name, _] : handlers_) known.push_back(name);
        return Bad(child, absl::StrCat("unknown setting (known here: ", absl::StrJoin(known, ", "), ")"));
      }
      if (absl::Status s = it->second(entry.second, child); !s.ok()) return s;
    }
    return absl::OkStatus();
  }

 private:
  std::map<std::string, Handler> handlers_;
};

Section::Handler String(std::string* out) {
  return [out](const YAML::Node& node, const std::string& path) -> absl::Status {
    if (!node.IsScalar()) return Bad(path, "must be a string");
    *out = node.Scalar();
    return absl::OkStatus();
  };
}

Section::Handler Int(int* out, int min, int max) {
  return [=](const YAML::Node& node, const std::string& path) -> absl::Status {
    int value = 0;
    if (!node.IsScalar() || !YAML::convert<int>::decode(node, value) || value < min || value > max) {
      return Bad(path, absl::StrCat("must be a whole number from ", min, " to ", max));
    }
    *out = value;
    return absl::OkStatus();
  };
}

// A whole number of megabytes, kept in bytes.
Section::Handler Megabytes(int64_t* out, int min, int max) {
  return [=](const YAML::Node& node, const std::string& path) -> absl::Status {
    int value = 0;
    if (absl::Status s = Int(&value, min, max)(node, path); !s.ok()) return s;
    *out = int64_t{value} << 20;
    return absl::OkStatus();
  };
}

Section::Handler Duration(absl::Duration* out) {
  return [out](const YAML::Node& node, const std::string& path) -> absl::Status {
    absl::Duration value;
    if (!node.IsScalar() || !absl::ParseDuration(node.Scalar(), &value) || value < absl::ZeroDuration()) {
      return Bad(path, "must be a duration such as 30s, 72h or 1h30m");
    }
    *out = value;
    return absl::OkStatus();
  };
}

Section::Handler Bool(bool* out) {
  return [out](const YAML::Node& node, const std::string& path) -> absl::Status {
    bool value = false;
    if (!node.IsScalar() || !YAML::convert<bool>::decode(node, value)) return Bad(path, "must be true or false");
    *out = value;
    return absl::OkStatus();
  };
}

Section::Handler Sub(const Section& section) {
  return [section](const YAML::Node& node, const std::string& path) {
    return section.Apply(node, path);
  };
}

// `persistence.postgres` / `persistence.mysql`: a database server.
struct SqlSettings {
  persistence::SqlConfig sql;
  std::string password_file;
  bool given = false;
};

Section::Handler SqlServer(SqlSettings* settings) {
  return [settings](const YAML::Node& node, const std::string& path) -> absl::Status {
    persistence::SqlConfig& sql = settings->sql;
    settings->given = true;
    Section tls;
    tls.On("enabled", Bool(&sql.tls.enabled))
        .On("ca_file", String(&sql.tls.ca_file))
        .On("cert_file", String(&sql.tls.cert_file))
        .On("key_file", String(&sql.tls.key_file))
        .On("server_name", String(&sql.tls.server_name));
    Section server;
    server.On("host", String(&sql.host))
        .On("port", Int(&sql.port, 1, 65535))
        .On("user", String(&sql.user))
        .On("password", String(&sql.password))
        .On("password_file", String(&settings->password_file))
        .On("database", String(&sql.database))
        .On("max_connections", Int(&sql.max_connections, 1, 10000))
        .On("connect_timeout", Duration(&sql.connect_timeout))
        .On("tls", [&sql, tls](const YAML::Node& tls_node, const std::string& tls_path) {
          sql.tls.enabled = true;  // a tls section turns it on unless it says enabled: false
          return tls.Apply(tls_node, tls_path);
        });
    return server.Apply(node, path);
  };
}

// The password from `password_file` (its first line), when one is named.
absl::Status ReadPasswordFile(SqlSettings& settings, absl::string_view path) {
  if (settings.password_file.empty()) return absl::OkStatus();
  if (!settings.sql.password.empty()) return Bad(path, "give password or password_file, not both");
  std::ifstream in(settings.password_file);
  if (!in) return Bad(path, absl::StrCat("cannot read ", settings.password_file));
  std::getline(in, settings.sql.password);
  if (!settings.sql.password.empty() && settings.sql.password.back() == '\r') settings.sql.password.pop_back();
  return absl::OkStatus();
}

absl::Status ApplyYaml(const YAML::Node& root, ServerConfig& config) {
  std::string log_format = "text";
  Section log;
  log.On("level", String(&config.log_level)).On("format", String(&log_format));

  Section tls;
  tls.On("cert_file", String(&config.frontend.tls.cert_file))
      .On("key_file", String(&config.frontend.tls.key_file))
      .On("client_ca_file", String(&config.frontend.tls.client_ca_file));
  Section frontend;
  frontend.On("ip", String(&config.frontend.ip))
      .On("port", Int(&config.frontend.port, 0, 65535))
      .On("http_port", Int(&config.frontend.http_port, 0, 65535))
      .On("tls", Sub(tls));
  Section ui;
  ui.On("ip", String(&config.ui.ip))
      .On("port", Int(&config.ui.port, 0, 65535))
      .On("assets_dir", String(&config.ui.assets_dir))
      .On("default_namespace", String(&config.ui.default_namespace));

  Section sqlite;
  sqlite.On("path", String(&config.persistence.sqlite_path))
      .On("wal_limit_mb", Megabytes(&config.persistence.sqlite_space.wal_limit_bytes, 1, 1 << 20))
      .On("free_limit_mb", Megabytes(&config.persistence.sqlite_space.free_limit_bytes, 0, 1 << 20));
  SqlSettings postgres, mysql;
  Section persistence;
  persistence.On("driver", String(&config.persistence.driver))
      .On("sqlite", Sub(sqlite))
      .On("postgres", SqlServer(&postgres))
      .On("mysql", SqlServer(&mysql));

  Section cluster;
  cluster.On("name", String(&config.cluster_name)).On("num_shards", Int(&config.num_shards, 1, 1 << 16));

  Section prometheus;
  prometheus.On("listen_address", String(&config.metrics_listen_address));
  Section metrics;
  metrics.On("prometheus", Sub(prometheus));

  Section history_section, matching_section, worker_section;
  history_section.On("port", Int(&config.history_port, 0, 65535))
      .On("cache_size", Int(&config.history_cache_size, 0, 10000000));
  matching_section.On("port", Int(&config.matching_port, 0, 65535))
      .On("partitions", Int(&config.matching_partitions, 1, 64))
      .On("backlog_buffer", Int(&config.matching_backlog_buffer, 1, 1000000));
  worker_section.On("port", Int(&config.worker_port, 0, 65535));
  Section membership;
  membership.On("broadcast_address", String(&config.broadcast_address))
      .On("internal_ip", String(&config.internal_ip))
      .On("heartbeat_interval", Duration(&config.membership_heartbeat))
      .On("ttl", Duration(&config.membership_ttl));

  Section top;
  top.On("history", Sub(history_section))
      .On("matching", Sub(matching_section))
      .On("worker", Sub(worker_section))
      .On("membership", Sub(membership))
      .On("services", [&config](const YAML::Node& node, const std::string& path) -> absl::Status {
        std::string list;
        if (node.IsScalar()) {
          list = node.Scalar();
        } else if (node.IsSequence()) {
          std::vector<std::string> names;
          for (const auto& item : node) {
            if (!item.IsScalar()) return Bad(path, "must be a list of role names");
            names.push_back(item.Scalar());
          }
          list = absl::StrJoin(names, ",");
        } else {
          return Bad(path, "must be a list of role names");
        }
        absl::StatusOr<std::vector<std::string>> services = ParseServices(list);
        if (!services.ok()) return Bad(path, services.status().message());
        config.services = *std::move(services);
        return absl::OkStatus();
      })
      .On("log", Sub(log))
      .On("metrics", Sub(metrics))
      .On("frontend", Sub(frontend))
      .On("ui", Sub(ui))
      .On("persistence", Sub(persistence))
      .On("cluster", Sub(cluster))
      .On("shutdown_grace", Duration(&config.shutdown_grace))
      .On("namespaces", [&config](const YAML::Node& node, const std::string& path) -> absl::Status {
        if (!node.IsSequence()) return Bad(path, "must be a list of {name, retention}");
        config.namespaces.clear();
        for (size_t i = 0; i < node.size(); ++i) {
          NamespaceConfig ns;
          Section entry;
          entry.On("name", String(&ns.name)).On("retention", Duration(&ns.retention));
          std::string item = absl::StrCat(path, "[", i, "]");
          if (absl::Status s = entry.Apply(node[i], item); !s.ok()) return s;
          if (ns.name.empty()) return Bad(Join(item, "name"), "is required");
          config.namespaces.push_back(ns);
        }
        return absl::OkStatus();
      });
  if (absl::Status s = top.Apply(root, ""); !s.ok()) return s;

  if (config.persistence.driver == "postgres" || config.persistence.driver == "mysql") {
    const bool pg = config.persistence.driver == "postgres";
    SqlSettings& chosen = pg ? postgres : mysql;
    std::string section = pg ? "persistence.postgres" : "persistence.mysql";
    if (!chosen.given) return Bad(section, absl::StrCat("is required with driver ", config.persistence.driver));
    if (absl::Status s = ReadPasswordFile(chosen, Join(section, "password_file")); !s.ok()) return s;
    config.persistence.sql = chosen.sql;
  }

  if (log_format == "text") {
    config.log_format = LogFormat::kText;
  } else if (log_format == "json") {
    config.log_format = LogFormat::kJson;
  } else {
    return Bad("log.format", "must be text or json");
  }
  return absl::OkStatus();
}

}  // namespace

bool ServerConfig::Runs(absl::string_view role) const {
  return std::find(services.begin(), services.end(), role) != services.end();
}

absl::StatusOr<std::vector<std::string>> ParseServices(absl::string_view list) {
  std::vector<std::string> services;
  for (absl::string_view name : absl::StrSplit(list, ',', absl::SkipWhitespace())) {
    name = absl::StripAsciiWhitespace(name);
    if (std::find(std::begin(kRoleNames), std::end(kRoleNames), name) == std::end(kRoleNames)) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown service \"", name, "\" (known: frontend, history, matching, worker)"));
    }
    if (std::find(services.begin(), services.end(), name) == services.end()) services.emplace_back(name);
  }
  if (services.empty()) return absl::InvalidArgumentError("names no service (frontend, history, matching, worker)");
  return services;
}

absl::Status ValidateConfig(const ServerConfig& config) {
  static const char* kLevels[] = {"debug", "info", "warn", "error"};
  if (std::find(std::begin(kLevels), std::end(kLevels), config.log_level) == std::end(kLevels)) {
    return Bad("log.level", "must be one of debug, info, warn, error");
  }
  if (config.frontend.ip.empty()) return Bad("frontend.ip", "must not be empty");
  const auto& tls = config.frontend.tls;
  if (tls.cert_file.empty() != tls.key_file.empty()) {
    return Bad("frontend.tls", "cert_file and key_file go together");
  }
  if (!tls.client_ca_file.empty() && tls.cert_file.empty()) {
    return Bad("frontend.tls.client_ca_file", "needs cert_file and key_file (mTLS is TLS plus client certificates)");
  }
  static const char* kDrivers[] = {"sqlite", "memory", "postgres", "mysql"};
  if (std::find(std::begin(kDrivers), std::end(kDrivers), config.persistence.driver) == std::end(kDrivers)) {
    return Bad("persistence.driver", "must be sqlite, memory, postgres or mysql");
  }
  const persistence::SqlConfig& sql = config.persistence.sql;
  if (config.persistence.driver == "postgres" || config.persistence.driver == "mysql") {
    std::string section = absl::StrCat("persistence.", config.persistence.driver);
    if (sql.host.empty()) return Bad(Join(section, "host"), "must not be empty");
    if (sql.user.empty()) return Bad(Join(section, "user"), "must not be empty");
    if (sql.database.empty()) return Bad(Join(section, "database"), "must not be empty");
    if (sql.tls.cert_file.empty() != sql.tls.key_file.empty()) {
      return Bad(Join(section, "tls"), "cert_file and key_file go together");
    }
    if (config.persistence.driver == "mysql" && !sql.tls.server_name.empty() && sql.tls.server_name != sql.host) {
      return Bad(Join(section, "tls.server_name"),
                 "MySQL verifies the certificate against host; connect by that name instead");
    }
  }
  if (config.persistence.driver == "sqlite" && config.persistence.sqlite_path.empty()) {
    return Bad("persistence.sqlite.path", "must not be empty");
  }
  if (config.cluster_name.empty()) return Bad("cluster.name", "must not be empty");
  if (config.services.size() != std::size(kRoleNames) && !config.Clustered()) {
    return Bad("services", "running some roles only needs a store the hosts share: persistence.driver postgres or mysql");
  }
  if (config.membership_ttl <= config.membership_heartbeat) {
    return Bad("membership.ttl", "must be longer than membership.heartbeat_interval");
  }
  if (const std::string& at = config.metrics_listen_address;
      !at.empty() && (at.rfind(':') == std::string::npos || at.rfind(':') + 1 == at.size())) {
    return Bad("metrics.prometheus.listen_address", "must be host:port, e.g. 127.0.0.1:8000");
  }
  for (const auto& ns : config.namespaces) {
    if (absl::Status s = frontend::ValidateNamespaceName(ns.name); !s.ok()) {
      return Bad("namespaces", s.message());
    }
    if (ns.retention < absl::Hours(1)) {
      return Bad("namespaces", absl::StrCat("retention of ", ns.name, " must be at least 1h"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<ServerConfig> ParseConfig(absl::string_view yaml_text) {
  ServerConfig config;
  try {
    YAML::Node root = YAML::Load(std::string(yaml_text));
    if (absl::Status s = ApplyYaml(root, config); !s.ok()) return s;
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat("line ", e.mark.line + 1, ": not valid YAML: ", e.msg));
  }
  if (absl::Status s = ValidateConfig(config); !s.ok()) return s;
  return config;
}

absl::StatusOr<ServerConfig> LoadConfigFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read config file ", path));
  std::ostringstream text;
  text << in.rdbuf();
  return ParseConfig(text.str());
}

}  // namespace zaman::server

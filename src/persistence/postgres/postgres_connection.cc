#include "persistence/postgres/postgres_store.h"

#include <arpa/inet.h>
#include <libpq-fe.h>

#include <cstring>
#include <unordered_map>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/errors.h"
#include "persistence/sql/sql_stores.h"

namespace zaman::persistence::postgres {
namespace {

using sql::Bytes;
using sql::Result;
using sql::Value;

// Type oids of the columns Zaman reads (pg_type.dat).
constexpr Oid kBool = 16, kInt8 = 20, kInt2 = 21, kInt4 = 23, kFloat4 = 700, kFloat8 = 701;

// `?` placeholders become `$1`, `$2`, … (none of Zaman's statements has a
// `?` inside a literal).
std::string Numbered(absl::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 16);
  int n = 0;
  bool quoted = false;
  for (char c : sql) {
    if (c == '\'') quoted = !quoted;
    if (c == '?' && !quoted) {
      absl::StrAppend(&out, "$", ++n);
    } else {
      out += c;
    }
  }
  return out;
}

uint64_t BigEndian(const char* p, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

// One column of a binary-format result.
Value Cell(const PGresult* res, int row, int column) {
  if (PQgetisnull(res, row, column)) return std::monostate{};
  const char* p = PQgetvalue(res, row, column);
  const int length = PQgetlength(res, row, column);
  switch (PQftype(res, column)) {
    case kBool: return int64_t{p[0] != 0};
    case kInt2: return static_cast<int64_t>(static_cast<int16_t>(BigEndian(p, 2)));
    case kInt4: return static_cast<int64_t>(static_cast<int32_t>(BigEndian(p, 4)));
    case kInt8: return static_cast<int64_t>(BigEndian(p, 8));
    case kFloat4: {
      uint32_t bits = static_cast<uint32_t>(BigEndian(p, 4));
      float f;
      std::memcpy(&f, &bits, sizeof f);
      return static_cast<double>(f);
    }
    case kFloat8: {
      uint64_t bits = BigEndian(p, 8);
      double d;
      std::memcpy(&d, &bits, sizeof d);
      return d;
    }
    default: return std::string(p, static_cast<size_t>(length));
  }
}

// The error kind of a failed statement, by its SQLSTATE (Appendix A of the
// PostgreSQL manual).
absl::Status Classify(PGconn* conn, const PGresult* res, absl::string_view what) {
  const char* state = res == nullptr ? nullptr : PQresultErrorField(res, PG_DIAG_SQLSTATE);
  std::string message = absl::StrCat(what, ": ", res != nullptr ? PQresultErrorMessage(res) : PQerrorMessage(conn));
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  if (PQstatus(conn) != CONNECTION_OK || state == nullptr) return sql::ConnectionLost(message);
  absl::string_view code(state);
  if (code == "23505") return sql::DuplicateKey(message);
  // serialization_failure, deadlock_detected, lock_not_available
  if (code == "40001" || code == "40P01" || code == "55P03") return sql::TransactionAborted(message);
  // connection exceptions; admin_shutdown, crash_shutdown, cannot_connect_now
  if (absl::StartsWith(code, "08") || code == "57P01" || code == "57P02" || code == "57P03") {
    return sql::ConnectionLost(message);
  }
  return errors::Internal(message);
}

class PostgresConnection final : public sql::Connection {
 public:
  explicit PostgresConnection(PGconn* conn) : conn_(conn) {}
  ~PostgresConnection() override { PQfinish(conn_); }

  absl::StatusOr<Result> Run(absl::string_view statement, absl::Span<const Value> params) override {
    absl::StatusOr<const std::string*> name = Prepared(statement, static_cast<int>(params.size()));
    if (!name.ok()) return name.status();
    // Numbers go as text (the server converts them to the column's type);
    // strings and bytes as binary, which for text is the text itself.
    std::vector<std::string> text(params.size());
    std::vector<const char*> values(params.size());
    std::vector<int> lengths(params.size());
    std::vector<int> formats(params.size());
    for (size_t i = 0; i < params.size(); ++i) {
      const Value& v = params[i];
      if (const auto* n = std::get_if<int64_t>(&v)) {
        text[i] = absl::StrCat(*n);
      } else if (const auto* d = std::get_if<double>(&v)) {
        text[i] = absl::StrFormat("%.17g", *d);
      } else if (const auto* s = std::get_if<std::string>(&v)) {
        values[i] = s->data();
        lengths[i] = static_cast<int>(s->size());
        formats[i] = 1;
        continue;
      } else if (const auto* b = std::get_if<Bytes>(&v)) {
        values[i] = b->data.data();
        lengths[i] = static_cast<int>(b->data.size());
        formats[i] = 1;
        continue;
      } else {
        values[i] = nullptr;  // NULL
        continue;
      }
      values[i] = text[i].c_str();
      lengths[i] = static_cast<int>(text[i].size());
    }
    PGresult* res = PQexecPrepared(conn_, (*name)->c_str(), static_cast<int>(params.size()), values.data(),
                                   lengths.data(), formats.data(), /*resultFormat=*/1);
    absl::StatusOr<Result> result = Collect(res, statement);
    PQclear(res);
    return result;
  }

  absl::Status RunScript(absl::string_view script) override {
    PGresult* res = PQexec(conn_, std::string(script).c_str());
    absl::Status status = absl::OkStatus();
    ExecStatusType code = PQresultStatus(res);
    if (code != PGRES_COMMAND_OK && code != PGRES_TUPLES_OK && code != PGRES_EMPTY_QUERY) {
      status = Classify(conn_, res, "schema script");
      // A failed script leaves its transaction open and aborted.
      PQclear(PQexec(conn_, "ROLLBACK"));
    }
    PQclear(res);
    return status;
  }

  bool healthy() const override { return PQstatus(conn_) == CONNECTION_OK; }

 private:
  absl::StatusOr<const std::string*> Prepared(absl::string_view statement, int params) {
    auto it = prepared_.find(std::string(statement));
    if (it != prepared_.end()) return &it->second;
    if (prepared_.size() >= sql::kMaxPreparedStatements) {
      PQclear(PQexec(conn_, "DEALLOCATE ALL"));
      prepared_.clear();
    }
    std::string name = absl::StrCat("z", ++statements_prepared_);
    PGresult* res = PQprepare(conn_, name.c_str(), Numbered(statement).c_str(), params, nullptr);
    absl::Status status = PQresultStatus(res) == PGRES_COMMAND_OK
                              ? absl::OkStatus()
                              : Classify(conn_, res, absl::StrCat("prepare \"", statement, "\""));
    PQclear(res);
    if (!status.ok()) return status;
    return &prepared_.emplace(std::string(statement), std::move(name)).first->second;
  }

  absl::StatusOr<Result> Collect(PGresult* res, absl::string_view statement) {
    ExecStatusType code = PQresultStatus(res);
    if (code != PGRES_COMMAND_OK && code != PGRES_TUPLES_OK) return Classify(conn_, res, statement);
    Result result;
    int64_t affected = 0;
    if (absl::SimpleAtoi(PQcmdTuples(res), &affected)) result.affected_rows = affected;
    if (code == PGRES_TUPLES_OK) {
      result.columns = PQnfields(res);
      const int rows = PQntuples(res);
      result.cells.reserve(static_cast<size_t>(rows) * result.columns);
      for (int r = 0; r < rows; ++r) {
        for (int c = 0; c < result.columns; ++c) result.cells.push_back(Cell(res, r, c));
      }
    }
    return result;
  }

  PGconn* conn_;
  std::unordered_map<std::string, std::string> prepared_;  // statement text → server-side name
  int64_t statements_prepared_ = 0;                        // names them uniquely
};

absl::StatusOr<std::unique_ptr<sql::Connection>> Connect(const SqlConfig& config, const std::string& database) {
  std::vector<std::pair<std::string, std::string>> options = {
      {"host", config.host},
      {"port", absl::StrCat(config.port == 0 ? 5432 : config.port)},
      {"user", config.user},
      {"password", config.password},
      {"dbname", database},
      {"connect_timeout", absl::StrCat(std::max<int64_t>(1, absl::ToInt64Seconds(config.connect_timeout)))},
      {"application_name", "zaman"},
      {"client_encoding", "UTF8"},
  };
  if (config.tls.enabled) {
    // verify-full checks the chain and that the certificate names the host.
    options.emplace_back("sslmode", config.tls.ca_file.empty() ? "require" : "verify-full");
    if (!config.tls.ca_file.empty()) options.emplace_back("sslrootcert", config.tls.ca_file);
    if (!config.tls.cert_file.empty()) options.emplace_back("sslcert", config.tls.cert_file);
    if (!config.tls.key_file.empty()) options.emplace_back("sslkey", config.tls.key_file);
    if (!config.tls.server_name.empty()) {
      // libpq verifies against `host`; connect to the address, check the name.
      options.emplace_back("hostaddr", config.host);
      options[0].second = config.tls.server_name;
    }
  } else {
    options.emplace_back("sslmode", "disable");
  }
  std::vector<const char*> keys, values;
  for (const auto& [k, v] : options) {
    keys.push_back(k.c_str());
    values.push_back(v.c_str());
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);
  PGconn* conn = PQconnectdbParams(keys.data(), values.data(), 0);
  if (conn == nullptr) return sql::ConnectionLost("postgres: out of memory");
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string message = PQerrorMessage(conn);
    PQfinish(conn);
    while (!message.empty() && message.back() == '\n') message.pop_back();
    return sql::ConnectionLost(absl::StrCat("postgres at ", config.host, ":", config.port, ": ", message));
  }
  return std::make_unique<PostgresConnection>(conn);
}

std::string QuoteIdentifier(absl::string_view name) {
  std::string quoted = "\"";
  for (char c : name) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

}  // namespace

sql::Driver NewDriver(const SqlConfig& config) {
  sql::Driver driver;
  driver.dialect = sql::Dialect::kPostgres;
  driver.schema = &SchemaVersions();
  driver.connect = [config] { return Connect(config, config.database); };
  driver.connect_without_database = [config] { return Connect(config, "postgres"); };
  const std::string database = config.database;
  driver.create_database = [database](sql::Connection& c) -> absl::Status {
    absl::StatusOr<Result> exists = c.Run("SELECT COUNT(*) FROM pg_database WHERE datname = ?", {database});
    if (!exists.ok()) return exists.status();
    if (exists->Int(0, 0) > 0) return absl::OkStatus();
    // Byte order for text, whatever the server's default locale.
    return c.RunScript(absl::StrCat("CREATE DATABASE ", QuoteIdentifier(database),
                                    " ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0"));
  };
  return driver;
}

}  // namespace zaman::persistence::postgres

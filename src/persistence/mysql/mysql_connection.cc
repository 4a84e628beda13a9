#include "persistence/mysql/mysql_store.h"

#include <errmsg.h>
#include <mysql.h>
#include <mysqld_error.h>

#include <unordered_map>

#include "absl/base/call_once.h"
#include "absl/strings/str_cat.h"
#include "common/errors.h"

namespace zaman::persistence::mysql {
namespace {

using sql::Bytes;
using sql::Result;
using sql::Value;

bool IsConnectionError(unsigned int code) {
  switch (code) {
    case CR_CONNECTION_ERROR:
    case CR_CONN_HOST_ERROR:
    case CR_SERVER_GONE_ERROR:
    case CR_SERVER_LOST:
    case CR_COMMANDS_OUT_OF_SYNC:
    case CR_SSL_CONNECTION_ERROR:
    case ER_SERVER_SHUTDOWN:
    case ER_CON_COUNT_ERROR:
    case ER_CONNECTION_KILLED:
    case 2055:  // CR_SERVER_LOST_EXTENDED (MySQL's client)
    case 4031:  // ER_CLIENT_INTERACTION_TIMEOUT (MySQL 8: disconnected by the server)
      return true;
    default:
      return false;
  }
}

bool IsIntegerColumn(enum_field_types type) {
  switch (type) {
    case MYSQL_TYPE_TINY:
    case MYSQL_TYPE_SHORT:
    case MYSQL_TYPE_LONG:
    case MYSQL_TYPE_LONGLONG:
    case MYSQL_TYPE_INT24:
    case MYSQL_TYPE_YEAR:
      return true;
    default:
      return false;
  }
}

class MysqlConnection final : public sql::Connection {
 public:
  explicit MysqlConnection(MYSQL* mysql) : mysql_(mysql) {}
  ~MysqlConnection() override {
    for (auto& [text, stmt] : statements_) mysql_stmt_close(stmt);
    mysql_close(mysql_);
  }

  absl::StatusOr<Result> Run(absl::string_view statement, absl::Span<const Value> params) override {
    absl::StatusOr<MYSQL_STMT*> prepared = Prepared(statement);
    if (!prepared.ok()) return prepared.status();
    MYSQL_STMT* stmt = *prepared;
    if (mysql_stmt_param_count(stmt) != params.size()) {
      return errors::Internal(absl::StrCat("statement \"", statement, "\" takes ", mysql_stmt_param_count(stmt),
                                           " parameters, given ", params.size()));
    }
    std::vector<MYSQL_BIND> binds(params.size());
    std::vector<int64_t> ints(params.size());
    std::vector<double> doubles(params.size());
    for (size_t i = 0; i < params.size(); ++i) {
      MYSQL_BIND& b = binds[i];
      b = MYSQL_BIND{};
      const Value& v = params[i];
      if (const auto* n = std::get_if<int64_t>(&v)) {
        ints[i] = *n;
        b.buffer_type = MYSQL_TYPE_LONGLONG;
        b.buffer = &ints[i];
      } else if (const auto* d = std::get_if<double>(&v)) {
        doubles[i] = *d;
        b.buffer_type = MYSQL_TYPE_DOUBLE;
        b.buffer = &doubles[i];
      } else if (const auto* s = std::get_if<std::string>(&v)) {
        b.buffer_type = MYSQL_TYPE_STRING;
        b.buffer = const_cast<char*>(s->data());
        b.buffer_length = s->size();
      } else if (const auto* bytes = std::get_if<Bytes>(&v)) {
        b.buffer_type = MYSQL_TYPE_BLOB;
        b.buffer = const_cast<char*>(bytes->data.data());
        b.buffer_length = bytes->data.size();
      } else {
        b.buffer_type = MYSQL_TYPE_NULL;
      }
    }
    if (!binds.empty() && mysql_stmt_bind_param(stmt, binds.data()) != 0) return Failed(stmt, statement);
    if (mysql_stmt_execute(stmt) != 0) return Failed(stmt, statement);
    Result result;
    my_ulonglong affected = mysql_stmt_affected_rows(stmt);
    if (affected != static_cast<my_ulonglong>(-1)) result.affected_rows = static_cast<int64_t>(affected);
    MYSQL_RES* meta = mysql_stmt_result_metadata(stmt);
    if (meta == nullptr) return result;
    absl::Status fetched = Fetch(stmt, meta, statement, result);
    mysql_free_result(meta);
    mysql_stmt_free_result(stmt);
    if (!fetched.ok()) return fetched;
    return result;
  }

  absl::Status RunScript(absl::string_view script) override {
    if (mysql_real_query(mysql_, script.data(), script.size()) != 0) return Classify(mysql_errno(mysql_), mysql_error(mysql_), "schema script");
    for (;;) {
      MYSQL_RES* res = mysql_store_result(mysql_);
      if (res != nullptr) mysql_free_result(res);
      int next = mysql_next_result(mysql_);
      if (next == -1) return absl::OkStatus();
      if (next > 0) return Classify(mysql_errno(mysql_), mysql_error(mysql_), "schema script");
    }
  }

  bool healthy() const override { return !broken_; }

 private:
  absl::StatusOr<MYSQL_STMT*> Prepared(absl::string_view statement) {
    auto it = statements_.find(std::string(statement));
    if (it != statements_.end()) return it->second;
    if (statements_.size() >= sql::kMaxPreparedStatements) {
      for (auto& [text, prepared] : statements_) mysql_stmt_close(prepared);
      statements_.clear();
    }
    MYSQL_STMT* stmt = mysql_stmt_init(mysql_);
    if (stmt == nullptr) return Classify(mysql_errno(mysql_), mysql_error(mysql_), statement);
    if (mysql_stmt_prepare(stmt, statement.data(), statement.size()) != 0) {
      absl::Status status = Failed(stmt, statement);
      mysql_stmt_close(stmt);
      return status;
    }
    statements_.emplace(std::string(statement), stmt);
    return stmt;
  }

  // Rows of an executed statement: integers and doubles bound as such,
  // everything else fetched column by column at its own length.
  absl::Status Fetch(MYSQL_STMT* stmt, MYSQL_RES* meta, absl::string_view statement, Result& result) {
    const unsigned int n = mysql_num_fields(meta);
    MYSQL_FIELD* fields = mysql_fetch_fields(meta);
    result.columns = static_cast<int>(n);
    std::vector<MYSQL_BIND> out(n);
    std::vector<int64_t> ints(n);
    std::vector<double> doubles(n);
    std::vector<unsigned long> lengths(n);
    std::vector<my_bool> nulls(n), truncated(n);
    for (unsigned int c = 0; c < n; ++c) {
      MYSQL_BIND& b = out[c];
      b = MYSQL_BIND{};
      b.is_null = &nulls[c];
      b.length = &lengths[c];
      b.error = &truncated[c];
      if (IsIntegerColumn(fields[c].type)) {
        b.buffer_type = MYSQL_TYPE_LONGLONG;
        b.buffer = &ints[c];
        b.is_unsigned = (fields[c].flags & UNSIGNED_FLAG) != 0;
      } else if (fields[c].type == MYSQL_TYPE_DOUBLE || fields[c].type == MYSQL_TYPE_FLOAT) {
        b.buffer_type = MYSQL_TYPE_DOUBLE;
        b.buffer = &doubles[c];
      } else {
        b.buffer_type = MYSQL_TYPE_BLOB;  // length only; fetched below
      }
    }
    if (mysql_stmt_bind_result(stmt, out.data()) != 0) return Failed(stmt, statement);
    for (;;) {
      int rc = mysql_stmt_fetch(stmt);
      if (rc == MYSQL_NO_DATA) return absl::OkStatus();
      if (rc == 1) return Failed(stmt, statement);
      for (unsigned int c = 0; c < n; ++c) {
        if (nulls[c]) {
          result.cells.emplace_back(std::monostate{});
        } else if (out[c].buffer_type == MYSQL_TYPE_LONGLONG) {
          result.cells.emplace_back(ints[c]);
        } else if (out[c].buffer_type == MYSQL_TYPE_DOUBLE) {
          result.cells.emplace_back(doubles[c]);
        } else {
          std::string bytes(lengths[c], '\0');
          if (!bytes.empty()) {
            MYSQL_BIND column{};
            unsigned long length = 0;
            column.buffer_type = MYSQL_TYPE_BLOB;
            column.buffer = bytes.data();
            column.buffer_length = bytes.size();
            column.length = &length;
            if (mysql_stmt_fetch_column(stmt, &column, c, 0) != 0) return Failed(stmt, statement);
          }
          result.cells.emplace_back(std::move(bytes));
        }
      }
    }
  }

  absl::Status Failed(MYSQL_STMT* stmt, absl::string_view statement) {
    return Classify(mysql_stmt_errno(stmt), mysql_stmt_error(stmt), statement);
  }

  absl::Status Classify(unsigned int code, const char* error, absl::string_view what) {
    std::string message = absl::StrCat(what, ": ", error, " (", code, ")");
    if (IsConnectionError(code)) {
      broken_ = true;
      return sql::ConnectionLost(message);
    }
    if (code == ER_DUP_ENTRY || code == ER_DUP_ENTRY_WITH_KEY_NAME) return sql::DuplicateKey(message);
    if (code == ER_LOCK_DEADLOCK || code == ER_LOCK_WAIT_TIMEOUT) return sql::TransactionAborted(message);
    // A key or value longer than its column (MySQL keys are at most 255 characters).
    if (code == ER_DATA_TOO_LONG) return errors::InvalidArgument(message);
    return errors::Internal(message);
  }

  MYSQL* mysql_;
  std::unordered_map<std::string, MYSQL_STMT*> statements_;
  bool broken_ = false;
};

absl::StatusOr<std::unique_ptr<sql::Connection>> Connect(const SqlConfig& config, bool with_database) {
  static absl::once_flag library_once;
  absl::call_once(library_once, [] { mysql_library_init(0, nullptr, nullptr); });
  MYSQL* mysql = mysql_init(nullptr);
  if (mysql == nullptr) return sql::ConnectionLost("mysql: out of memory");
  unsigned int timeout = static_cast<unsigned int>(std::max<int64_t>(1, absl::ToInt64Seconds(config.connect_timeout)));
  mysql_options(mysql, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
  my_bool reconnect = 0;  // a lost connection is dropped by the pool, never silently resumed mid-transaction
  mysql_options(mysql, MYSQL_OPT_RECONNECT, &reconnect);
  mysql_options(mysql, MYSQL_SET_CHARSET_NAME, "utf8mb4");
  // Row locks without gap locks (as Temporal runs MySQL), strict types, UTC.
  mysql_options(mysql, MYSQL_INIT_COMMAND, "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED");
  mysql_options(mysql, MYSQL_INIT_COMMAND, "SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION'");
  mysql_options(mysql, MYSQL_INIT_COMMAND, "SET SESSION time_zone = '+00:00'");
  if (config.tls.enabled) {
    auto or_null = [](const std::string& s) { return s.empty() ? nullptr : s.c_str(); };
    mysql_ssl_set(mysql, or_null(config.tls.key_file), or_null(config.tls.cert_file), or_null(config.tls.ca_file),
                  nullptr, nullptr);
    my_bool verify = config.tls.ca_file.empty() ? 0 : 1;
    mysql_options(mysql, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &verify);
  }
  const int port = config.port == 0 ? 3306 : config.port;
  if (mysql_real_connect(mysql, config.host.c_str(), config.user.c_str(), config.password.c_str(),
                         with_database ? config.database.c_str() : nullptr, static_cast<unsigned int>(port), nullptr,
                         CLIENT_FOUND_ROWS | CLIENT_MULTI_STATEMENTS) == nullptr) {
    std::string message = absl::StrCat("mysql at ", config.host, ":", port, ": ", mysql_error(mysql));
    mysql_close(mysql);
    return sql::ConnectionLost(message);
  }
  return std::make_unique<MysqlConnection>(mysql);
}

std::string QuoteIdentifier(absl::string_view name) {
  std::string quoted = "`";
  for (char c : name) {
    if (c == '`') quoted += '`';
    quoted += c;
  }
  return quoted + "`";
}

}  // namespace

sql::Driver NewDriver(const SqlConfig& config) {
  sql::Driver driver;
  driver.dialect = sql::Dialect::kMysql;
  driver.schema = &SchemaVersions();
  driver.connect = [config] { return Connect(config, true); };
  driver.connect_without_database = [config] { return Connect(config, false); };
  const std::string database = config.database;
  driver.create_database = [database](sql::Connection& c) {
    return c.RunScript(absl::StrCat("CREATE DATABASE IF NOT EXISTS ", QuoteIdentifier(database),
                                    " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"));
  };
  return driver;
}

}  // namespace zaman::persistence::mysql

#pragma once

// Internal to the SQL backends (postgres/, mysql/): one database connection
// as the shared store code sees it. A driver turns its client library's
// calls and errors into these.

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace zaman::persistence::sql {

// Binary data (a serialized message) as a parameter. Drivers bind it as a
// blob, where plain strings are bound as text of the connection's charset.
struct Bytes {
  std::string data;
};

// A bound parameter or a result cell. Result cells are never Bytes: text
// and binary columns both come back as std::string.
using Value = std::variant<std::monostate, int64_t, double, std::string, Bytes>;

// What one statement returned: its rows, column by column, and how many rows
// it changed.
struct Result {
  int columns = 0;
  std::vector<Value> cells;  // row-major
  int64_t affected_rows = 0;

  size_t rows() const { return columns == 0 ? 0 : cells.size() / static_cast<size_t>(columns); }
  const Value& at(size_t row, int column) const { return cells[row * static_cast<size_t>(columns) + column]; }
  bool IsNull(size_t row, int column) const { return std::holds_alternative<std::monostate>(at(row, column)); }
  // Integers also from decimal text (some servers send counts as text).
  int64_t Int(size_t row, int column) const;
  double Double(size_t row, int column) const;
  // Text or bytes; "" for NULL.
  const std::string& Bytes(size_t row, int column) const;
};

// Statements a connection keeps prepared at most. The stores' fixed
// statements are a few dozen; list filters make new texts without end, so a
// connection that reaches this many drops them all and prepares again.
constexpr size_t kMaxPreparedStatements = 256;

// One open connection. Not thread-safe: a ConnectionPool hands it to one
// caller at a time.
class Connection {
 public:
  virtual ~Connection() = default;

  // Runs one statement with `?` placeholders, prepared once for this
  // connection and reused. Errors are classified as below.
  virtual absl::StatusOr<Result> Run(absl::string_view sql, absl::Span<const Value> params) = 0;
  // Runs several `;`-separated statements without parameters (schema files).
  virtual absl::Status RunScript(absl::string_view sql) = 0;
  // False once the server is gone; the pool then drops the connection.
  virtual bool healthy() const = 0;
};

// Error kinds a driver reports. Each is a Status whose code says what a
// caller of the store sees; a payload tells the retry logic which it is.
// The connection is gone (server restarted, network lost): Unavailable.
absl::Status ConnectionLost(absl::string_view message);
// A deadlock, a serialization failure or a lock wait timeout: the
// transaction was rolled back and may be run again. Unavailable.
absl::Status TransactionAborted(absl::string_view message);
// A unique key already holds the value: AlreadyExists.
absl::Status DuplicateKey(absl::string_view message);

// The connection was lost while COMMIT was on its way: the transaction may
// or may not have been applied. Unavailable.
absl::Status CommitOutcomeUnknown(absl::string_view message);

bool IsConnectionLost(const absl::Status& status);
bool IsCommitOutcomeUnknown(const absl::Status& status);
bool IsTransactionAborted(const absl::Status& status);

}  // namespace zaman::persistence::sql

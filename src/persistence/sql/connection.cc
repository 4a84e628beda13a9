#include "persistence/sql/connection.h"

#include <cstdlib>

#include "absl/strings/numbers.h"
#include "common/errors.h"

namespace zaman::persistence::sql {
namespace {

constexpr char kConnectionLostKey[] = "zaman/sql-connection-lost";
constexpr char kTransactionAbortedKey[] = "zaman/sql-transaction-aborted";
constexpr char kCommitOutcomeUnknownKey[] = "zaman/sql-commit-outcome-unknown";

const std::string kEmpty;

}  // namespace

int64_t Result::Int(size_t row, int column) const {
  const Value& v = at(row, column);
  if (const auto* n = std::get_if<int64_t>(&v)) return *n;
  if (const auto* d = std::get_if<double>(&v)) return static_cast<int64_t>(*d);
  if (const auto* s = std::get_if<std::string>(&v)) {
    int64_t parsed = 0;
    return absl::SimpleAtoi(*s, &parsed) ? parsed : 0;
  }
  return 0;
}

double Result::Double(size_t row, int column) const {
  const Value& v = at(row, column);
  if (const auto* d = std::get_if<double>(&v)) return *d;
  if (const auto* n = std::get_if<int64_t>(&v)) return static_cast<double>(*n);
  if (const auto* s = std::get_if<std::string>(&v)) return std::strtod(s->c_str(), nullptr);
  return 0;
}

const std::string& Result::Bytes(size_t row, int column) const {
  const auto* s = std::get_if<std::string>(&at(row, column));
  return s == nullptr ? kEmpty : *s;
}

absl::Status ConnectionLost(absl::string_view message) {
  absl::Status status = errors::Unavailable(message);
  status.SetPayload(kConnectionLostKey, absl::Cord());
  return status;
}

absl::Status TransactionAborted(absl::string_view message) {
  absl::Status status = errors::Unavailable(message);
  status.SetPayload(kTransactionAbortedKey, absl::Cord());
  return status;
}

absl::Status DuplicateKey(absl::string_view message) { return absl::AlreadyExistsError(message); }

bool IsConnectionLost(const absl::Status& status) {
  return status.GetPayload(kConnectionLostKey).has_value();
}

absl::Status CommitOutcomeUnknown(absl::string_view message) {
  absl::Status status = errors::Unavailable(message);
  status.SetPayload(kCommitOutcomeUnknownKey, absl::Cord());
  return status;
}

bool IsCommitOutcomeUnknown(const absl::Status& status) {
  return status.GetPayload(kCommitOutcomeUnknownKey).has_value();
}

bool IsTransactionAborted(const absl::Status& status) {
  return status.GetPayload(kTransactionAbortedKey).has_value();
}

}  // namespace zaman::persistence::sql

#include "persistence/sqlite/sqlite_visibility_store.h"

#include <algorithm>
#include <cstdlib>
#include <limits>
#include <optional>

#include <google/protobuf/util/time_util.h>
#include <spdlog/spdlog.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/errors.h"
#include "temporal/api/enums/v1/workflow.pb.h"

namespace zaman::persistence::sqlite {
namespace {

namespace enums = ::temporal::api::enums::v1;
using google::protobuf::util::TimeUtil;
using visibility::Expr;
using visibility::IndexValue;
using visibility::Op;

constexpr int64_t kOpen = std::numeric_limits<int64_t>::max();

// SQL text with `?` placeholders and the values they take, in order. Query
// values are only ever bound, never spliced into the text.
struct Sql {
  std::string text;
  std::vector<IndexValue> params;

  void Bind(SQLite::Statement& statement) const {
    int i = 1;
    for (const IndexValue& v : params) {
      if (const auto* n = std::get_if<int64_t>(&v)) {
        statement.bind(i++, *n);
      } else if (const auto* d = std::get_if<double>(&v)) {
        statement.bind(i++, *d);
      } else {
        statement.bind(i++, std::get<std::string>(v));
      }
    }
  }
};

// The smallest string above every string starting with `prefix` (0xFF never
// occurs in UTF-8), for an index-friendly prefix match.
std::string PrefixEnd(const std::string& prefix) { return prefix + "\xff"; }

const char* Comparator(Op op) {
  switch (op) {
    case Op::kEq: return "=";
    case Op::kNe: return "!=";
    case Op::kLt: return "<";
    case Op::kLe: return "<=";
    case Op::kGt: return ">";
    default: return ">=";
  }
}

class Translator {
 public:
  explicit Translator(std::string namespace_id) : namespace_id_(std::move(namespace_id)) {}

  void Append(const Expr& e, Sql& sql) {
    switch (e.kind) {
      case Expr::Kind::kAnd:
      case Expr::Kind::kOr: {
        sql.text += "(";
        for (size_t i = 0; i < e.children.size(); ++i) {
          if (i > 0) sql.text += e.kind == Expr::Kind::kAnd ? " AND " : " OR ";
          Append(*e.children[i], sql);
        }
        sql.text += ")";
        return;
      }
      case Expr::Kind::kNot:
        sql.text += "NOT (";
        Append(*e.children[0], sql);
        sql.text += ")";
        return;
      case Expr::Kind::kCompare:
        if (e.attribute.system != nullptr) {
          Condition(std::string("v.") + e.attribute.system->column, e.op, e.values, sql);
        } else {
          Custom(e, sql);
        }
        return;
    }
  }

 private:
  // `column op values` on a plain column.
  static void Condition(const std::string& column, Op op, const std::vector<IndexValue>& values, Sql& sql) {
    auto placeholders = [&] {
      std::vector<std::string> marks(values.size(), "?");
      for (const IndexValue& v : values) sql.params.push_back(v);
      return absl::StrJoin(marks, ", ");
    };
    switch (op) {
      case Op::kEq: case Op::kNe: case Op::kLt: case Op::kLe: case Op::kGt: case Op::kGe:
        sql.text += absl::StrCat(column, " ", Comparator(op), " ?");
        sql.params.push_back(values[0]);
        return;
      case Op::kIn:
        sql.text += absl::StrCat(column, " IN (", placeholders(), ")");
        return;
      case Op::kNotIn:
        sql.text += absl::StrCat(column, " NOT IN (", placeholders(), ")");
        return;
      case Op::kBetween:
      case Op::kNotBetween:
        sql.text += absl::StrCat(column, op == Op::kNotBetween ? " NOT" : "", " BETWEEN ? AND ?");
        sql.params.push_back(values[0]);
        sql.params.push_back(values[1]);
        return;
      case Op::kStartsWith:
      case Op::kNotStartsWith: {
        const std::string& prefix = std::get<std::string>(values[0]);
        sql.text += absl::StrCat(op == Op::kNotStartsWith ? "NOT " : "", "(", column, " >= ? AND ", column, " < ?)");
        sql.params.push_back(prefix);
        sql.params.push_back(PrefixEnd(prefix));
        return;
      }
      case Op::kIsNull:
        sql.text += column + " IS NULL";
        return;
      case Op::kIsNotNull:
        sql.text += column + " IS NOT NULL";
        return;
    }
  }

  // A custom attribute: the runs that have a matching value row. Negations
  // of a list's membership ("Tags != 'x'") are runs with no such value.
  void Custom(const Expr& e, Sql& sql) {
    const bool list = e.attribute.type == enums::INDEXED_VALUE_TYPE_KEYWORD_LIST;
    const bool text = e.attribute.type == enums::INDEXED_VALUE_TYPE_TEXT;
    bool negate = false;
    Op op = e.op;
    if (op == Op::kIsNull || op == Op::kIsNotNull) {
      Runs(op == Op::kIsNull, e.attribute.name, nullptr, sql);
      return;
    }
    if ((list || text) && (op == Op::kNe || op == Op::kNotIn || op == Op::kNotStartsWith)) {
      negate = true;
      op = op == Op::kNe ? Op::kEq : op == Op::kNotIn ? Op::kIn : Op::kStartsWith;
    }
    Sql value;
    if (text && op == Op::kEq) {
      // Text matches when it contains the phrase, ignoring case.
      value.text = "instr(lower(s.value), lower(?)) > 0";
      value.params.push_back(e.values[0]);
    } else {
      Condition("s.value", op, e.values, value);
    }
    Runs(negate, e.attribute.name, &value, sql);
  }

  void Runs(bool negate, const std::string& name, const Sql* value, Sql& sql) {
    sql.text += absl::StrCat("v.run_id ", negate ? "NOT IN" : "IN",
                             " (SELECT s.run_id FROM visibility_search_attributes s"
                             " WHERE s.namespace_id = ? AND s.name = ?");
    sql.params.push_back(namespace_id_);
    sql.params.push_back(name);
    if (value != nullptr) {
      sql.text += " AND " + value->text;
      sql.params.insert(sql.params.end(), value->params.begin(), value->params.end());
    }
    sql.text += ")";
  }

  std::string namespace_id_;
};

// `WHERE` for the namespace and the query's filter.
Sql Where(absl::string_view namespace_id, const visibility::Query& query) {
  Sql sql{"v.namespace_id = ?", {std::string(namespace_id)}};
  if (query.where) {
    sql.text += " AND ";
    Translator(std::string(namespace_id)).Append(*query.where, sql);
  }
  return sql;
}

struct SortKey {
  std::string column;
  bool descending;
};

std::vector<SortKey> SortKeys(const visibility::Query& query) {
  std::vector<SortKey> keys;
  if (query.order_by.empty()) return {{"sort_close", true}, {"start_time", true}, {"run_id", true}};
  for (const auto& key : query.order_by) {
    std::string column = key.attribute.name == "CloseTime" ? "sort_close" : key.attribute.system->column;
    keys.push_back({"v." + column, key.descending});
  }
  // Ties broken in the last key's direction, so one index walk (forwards or
  // backwards) yields the whole order.
  keys.push_back({"v.run_id", keys.back().descending});
  return keys;
}

std::string Column(const SortKey& key) { return key.column.rfind("v.", 0) == 0 ? key.column : "v." + key.column; }

// Rows after the token's: (k1 > t1) OR (k1 = t1 AND ((k2 > t2) OR …)).
void AppendAfter(const std::vector<SortKey>& keys, const std::vector<IndexValue>& last, size_t i, Sql& sql) {
  const std::string column = Column(keys[i]);
  sql.text += absl::StrCat("(", column, keys[i].descending ? " < ?" : " > ?");
  sql.params.push_back(last[i]);
  if (i + 1 < keys.size()) {
    sql.text += absl::StrCat(" OR (", column, " = ? AND ");
    sql.params.push_back(last[i]);
    AppendAfter(keys, last, i + 1, sql);
    sql.text += ")";
  }
  sql.text += ")";
}

int64_t Nanos(const google::protobuf::Timestamp& t) { return TimeUtil::TimestampToNanoseconds(t); }

// The planner picks indexes by the statistics ANALYZE leaves in
// sqlite_stat1; without them it walks the default-order index for a filter
// on one workflow id (seconds at a million runs instead of microseconds).
// They are refreshed, sampled, whenever the table has doubled since.
constexpr int64_t kFirstAnalyzeAt = 1000;
constexpr int kAnalysisRowLimit = 2000;

class SqliteVisibilityStore final : public VisibilityStore {
 public:
  explicit SqliteVisibilityStore(Database& db) : db_(db) {
    db_.With([&](SQLite::Database& db) {
      try {
        // The statistics persist in the file: start from the row count they
        // were taken at, and analyze now only a table that has none yet.
        std::optional<SQLite::Statement> stat;
        if (db.tableExists("sqlite_stat1")) {
          stat.emplace(db, "SELECT stat FROM sqlite_stat1 WHERE tbl = 'visibility' LIMIT 1");
        }
        if (stat && stat->executeStep()) {
          rows_at_analyze_ = std::atoll(stat->getColumn(0).getString().c_str());
        } else if (db.execAndGet("SELECT EXISTS (SELECT 1 FROM visibility)").getInt() != 0) {
          rows_at_analyze_ = db.execAndGet("SELECT COUNT(*) FROM visibility").getInt64();
          Analyze(db);
        }
      } catch (const SQLite::Exception& e) {
        // Statistics are an optimisation: queries still answer without them.
        spdlog::warn("{}", FromException(e, "analyze visibility").ToString());
      }
    });
  }

  absl::Status UpsertMany(const std::vector<VisibilityRecord>& records) override {
    return db_.With([&](SQLite::Database& db) -> absl::Status {
      try {
        SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
        for (const VisibilityRecord& record : records) UpsertOne(db, record);
        tx.commit();
      } catch (const SQLite::Exception& e) {
        return FromException(e, "upsert visibility records");
      }
      upserts_since_analyze_ += static_cast<int64_t>(records.size());
      if (upserts_since_analyze_ >= std::max(kFirstAnalyzeAt, rows_at_analyze_)) {
        try {
          rows_at_analyze_ = db.execAndGet("SELECT COUNT(*) FROM visibility").getInt64();
          Analyze(db);
        } catch (const SQLite::Exception& e) {
          spdlog::warn("{}", FromException(e, "analyze visibility").ToString());
        }
      }
      return absl::OkStatus();
    });
  }

  void Analyze(SQLite::Database& db) {
    upserts_since_analyze_ = 0;
    if (rows_at_analyze_ == 0) return;
    db.exec(absl::StrCat("PRAGMA analysis_limit = ", kAnalysisRowLimit));
    db.exec("ANALYZE visibility; ANALYZE visibility_search_attributes");
  }

  // Inside the caller's transaction.
  void UpsertOne(SQLite::Database& db, const VisibilityRecord& record) {
    const WorkflowExecutionInfo& info = record.info();
    PreparedStatement current_prepared =
        db_.Prepare("SELECT version FROM visibility WHERE namespace_id = ? AND run_id = ?");
    SQLite::Statement& current = *current_prepared;
    current.bind(1, record.namespace_id());
    current.bind(2, info.execution().run_id());
    if (current.executeStep()) {
      if (current.getColumn(0).getInt64() > record.version()) return;  // stale
      PreparedStatement drop_prepared =
          db_.Prepare("DELETE FROM visibility WHERE namespace_id = ? AND run_id = ?");
      SQLite::Statement& drop = *drop_prepared;
      drop.bind(1, record.namespace_id());
      drop.bind(2, info.execution().run_id());
      drop.exec();
    }
    current.reset();
    PreparedStatement insert_prepared =
        db_.Prepare("INSERT INTO visibility (namespace_id, run_id, workflow_id, workflow_type, task_queue, status,"
            " start_time, execution_time, close_time, sort_close, execution_duration, history_length,"
            " history_size_bytes, parent_workflow_id, parent_run_id, root_workflow_id, root_run_id, version, info)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    SQLite::Statement& insert = *insert_prepared;
    int i = 1;
    insert.bind(i++, record.namespace_id());
    insert.bind(i++, info.execution().run_id());
    insert.bind(i++, info.execution().workflow_id());
    insert.bind(i++, info.type().name());
    insert.bind(i++, info.task_queue());
    insert.bind(i++, static_cast<int>(info.status()));
    insert.bind(i++, Nanos(info.start_time()));
    insert.bind(i++, Nanos(info.has_execution_time() ? info.execution_time() : info.start_time()));
    const bool closed = info.has_close_time();
    if (closed) insert.bind(i++, Nanos(info.close_time())); else insert.bind(i++);
    insert.bind(i++, closed ? Nanos(info.close_time()) : kOpen);
    if (closed) insert.bind(i++, TimeUtil::DurationToNanoseconds(info.execution_duration())); else insert.bind(i++);
    insert.bind(i++, info.history_length());
    insert.bind(i++, info.history_size_bytes());
    auto optional_text = [&](const std::string& s) {
      if (s.empty()) insert.bind(i++); else insert.bind(i++, s);
    };
    optional_text(info.parent_execution().workflow_id());
    optional_text(info.parent_execution().run_id());
    optional_text(info.root_execution().workflow_id());
    optional_text(info.root_execution().run_id());
    insert.bind(i++, record.version());
    std::string blob = info.SerializeAsString();
    insert.bind(i++, blob.data(), static_cast<int>(blob.size()));
    insert.exec();

    PreparedStatement clear_prepared =
        db_.Prepare("DELETE FROM visibility_search_attributes WHERE namespace_id = ? AND run_id = ?");
    SQLite::Statement& clear = *clear_prepared;
    clear.bind(1, record.namespace_id());
    clear.bind(2, info.execution().run_id());
    clear.exec();
    PreparedStatement value_prepared =
        db_.Prepare("INSERT INTO visibility_search_attributes (namespace_id, run_id, name, value) VALUES (?, ?, ?, ?)");
    SQLite::Statement& value = *value_prepared;
    for (const auto& [name, payload] : info.search_attributes().indexed_fields()) {
      auto type_name = payload.metadata().find("type");
      if (type_name == payload.metadata().end()) continue;  // unstamped: not indexed
      std::optional<visibility::IndexedValueType> type = visibility::TypeFromName(type_name->second);
      if (!type) continue;
      absl::StatusOr<std::vector<IndexValue>> values = visibility::DecodeValues(payload, *type);
      if (!values.ok()) continue;
      for (const IndexValue& v : *values) {
        value.reset();
        value.clearBindings();
        Sql one{"", {record.namespace_id(), info.execution().run_id(), name, v}};
        one.Bind(value);
        value.exec();
      }
    }
  }

  absl::Status Delete(absl::string_view namespace_id, absl::string_view run_id) override {
    return db_.With([&](SQLite::Database& db) -> absl::Status {
      try {
        SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
        for (const char* table : {"visibility", "visibility_search_attributes"}) {
          SQLite::Statement drop(db, absl::StrCat("DELETE FROM ", table, " WHERE namespace_id = ? AND run_id = ?"));
          drop.bind(1, std::string(namespace_id));
          drop.bind(2, std::string(run_id));
          drop.exec();
        }
        tx.commit();
        return absl::OkStatus();
      } catch (const SQLite::Exception& e) {
        return FromException(e, "delete visibility record");
      }
    });
  }

  absl::StatusOr<VisibilityPage> List(absl::string_view namespace_id, const visibility::Query& query,
                                      absl::string_view query_text, int page_size,
                                      absl::string_view page_token) override {
    const std::vector<SortKey> keys = SortKeys(query);
    Sql sql = Where(namespace_id, query);
    if (!page_token.empty()) {
      v1::VisibilityPageToken token;
      if (!token.ParseFromString(std::string(page_token)) || token.keys_size() + 1 != static_cast<int>(keys.size())) {
        return errors::InvalidArgument("Invalid NextPageToken.");
      }
      if (token.query() != query_text) return errors::InvalidArgument("NextPageToken belongs to a different query.");
      std::vector<IndexValue> last;
      for (const v1::SortValue& v : token.keys()) {
        if (v.has_int_value()) last.emplace_back(v.int_value()); else last.emplace_back(v.string_value());
      }
      last.emplace_back(token.run_id());
      sql.text += " AND ";
      AppendAfter(keys, last, 0, sql);
    }
    std::vector<std::string> order;
    std::vector<std::string> selected;
    for (const SortKey& key : keys) {
      order.push_back(absl::StrCat(Column(key), key.descending ? " DESC" : " ASC"));
      selected.push_back(Column(key));
    }
    std::string text = absl::StrCat("SELECT v.info, ", absl::StrJoin(selected, ", "), " FROM visibility v WHERE ",
                                    sql.text, " ORDER BY ", absl::StrJoin(order, ", "), " LIMIT ?");
    sql.params.emplace_back(int64_t{page_size} + 1);
    return db_.With([&](SQLite::Database& db) -> absl::StatusOr<VisibilityPage> {
      try {
        SQLite::Statement statement(db, text);
        sql.Bind(statement);
        VisibilityPage page;
        v1::VisibilityPageToken next;
        while (statement.executeStep()) {
          if (static_cast<int>(page.executions.size()) == page_size) {
            next.set_query(std::string(query_text));
            page.next_page_token = next.SerializeAsString();
            break;
          }
          SQLite::Column blob = statement.getColumn(0);
          WorkflowExecutionInfo& info = page.executions.emplace_back();
          if (!info.ParseFromArray(blob.getBlob(), blob.getBytes())) {
            return errors::Internal("a stored visibility record does not parse");
          }
          next.clear_keys();
          for (size_t k = 0; k + 1 < keys.size(); ++k) {
            SQLite::Column c = statement.getColumn(static_cast<int>(k) + 1);
            if (c.isInteger()) next.add_keys()->set_int_value(c.getInt64()); else next.add_keys()->set_string_value(c.getString());
          }
          next.set_run_id(info.execution().run_id());
        }
        return page;
      } catch (const SQLite::Exception& e) {
        return FromException(e, "list workflow executions");
      }
    });
  }

  absl::StatusOr<VisibilityCount> Count(absl::string_view namespace_id, const visibility::Query& query) override {
    Sql sql = Where(namespace_id, query);
    const bool grouped = !query.group_by.empty();
    std::string text = grouped ? absl::StrCat("SELECT v.status, COUNT(*) FROM visibility v WHERE ", sql.text,
                                              " GROUP BY v.status ORDER BY v.status")
                               : absl::StrCat("SELECT COUNT(*) FROM visibility v WHERE ", sql.text);
    return db_.With([&](SQLite::Database& db) -> absl::StatusOr<VisibilityCount> {
      try {
        SQLite::Statement statement(db, text);
        sql.Bind(statement);
        VisibilityCount count;
        while (statement.executeStep()) {
          if (grouped) {
            int64_t n = statement.getColumn(1).getInt64();
            count.by_status.emplace_back(statement.getColumn(0).getInt(), n);
            count.count += n;
          } else {
            count.count = statement.getColumn(0).getInt64();
          }
        }
        return count;
      } catch (const SQLite::Exception& e) {
        return FromException(e, "count workflow executions");
      }
    });
  }

 private:
  Database& db_;
  // Under db_'s lock.
  int64_t rows_at_analyze_ = 0;
  int64_t upserts_since_analyze_ = 0;
};

}  // namespace

std::unique_ptr<VisibilityStore> NewVisibilityStore(Database& db) { return std::make_unique<SqliteVisibilityStore>(db); }

}  // namespace zaman::persistence::sqlite

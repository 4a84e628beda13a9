#include "persistence/visibility_sql.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/errors.h"
#include "temporal/api/enums/v1/workflow.pb.h"
#include "zaman/persistence/v1/visibility.pb.h"

namespace zaman::persistence {
namespace {

namespace v1 = ::zaman::persistence::v1;

namespace enums = ::temporal::api::enums::v1;
using visibility::Expr;
using visibility::IndexValue;
using visibility::Op;

// The smallest string above every string starting with `prefix` (0xFF never
// occurs in UTF-8), for an index-friendly prefix match.
std::string PrefixEnd(const std::string& prefix) { return prefix + "\xff"; }

// `prefix%` with LIKE's own characters escaped by a backslash.
std::string LikePattern(const std::string& prefix) {
  std::string pattern;
  for (char c : prefix) {
    if (c == '%' || c == '_' || c == '\\') pattern += '\\';
    pattern += c;
  }
  return pattern + "%";
}

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
  Translator(std::string namespace_id, const VisibilityFlavor& flavor)
      : namespace_id_(std::move(namespace_id)), flavor_(flavor) {}

  void Append(const Expr& e, SqlText& sql) {
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
  void Condition(const std::string& column, Op op, const std::vector<IndexValue>& values, SqlText& sql) const {
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
        const char* negation = op == Op::kNotStartsWith ? "NOT " : "";
        if (flavor_.prefix_with_like) {
          sql.text += absl::StrCat(negation, "(", column, " LIKE ?)");
          sql.params.push_back(LikePattern(prefix));
        } else {
          sql.text += absl::StrCat(negation, "(", column, " >= ? AND ", column, " < ?)");
          sql.params.push_back(prefix);
          sql.params.push_back(PrefixEnd(prefix));
        }
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
  void Custom(const Expr& e, SqlText& sql) const {
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
    SqlText value;
    if (text && op == Op::kEq) {
      value.text = flavor_.text_contains;
      value.params.push_back(e.values[0]);
    } else {
      Condition("s." + flavor_.value_column(e.attribute.type), op, e.values, value);
    }
    Runs(negate, e.attribute.name, &value, sql);
  }

  void Runs(bool negate, const std::string& name, const SqlText* value, SqlText& sql) const {
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
  const VisibilityFlavor& flavor_;
};

void AppendAfterFrom(const std::vector<SortKey>& keys, const std::vector<IndexValue>& last, size_t i,
                     SqlText& sql) {
  const std::string& column = keys[i].column;
  sql.text += absl::StrCat("(", column, keys[i].descending ? " < ?" : " > ?");
  sql.params.push_back(last[i]);
  if (i + 1 < keys.size()) {
    sql.text += absl::StrCat(" OR (", column, " = ? AND ");
    sql.params.push_back(last[i]);
    AppendAfterFrom(keys, last, i + 1, sql);
    sql.text += ")";
  }
  sql.text += ")";
}

}  // namespace

SqlText VisibilityWhere(absl::string_view namespace_id, const visibility::Query& query,
                        const VisibilityFlavor& flavor) {
  SqlText sql{"v.namespace_id = ?", {std::string(namespace_id)}};
  if (query.where) {
    sql.text += " AND ";
    Translator(std::string(namespace_id), flavor).Append(*query.where, sql);
  }
  return sql;
}

std::vector<SortKey> VisibilitySortKeys(const visibility::Query& query) {
  if (query.order_by.empty()) return {{"v.sort_close", true}, {"v.start_time", true}, {"v.run_id", true}};
  std::vector<SortKey> keys;
  for (const auto& key : query.order_by) {
    std::string column = key.attribute.name == "CloseTime" ? "sort_close" : key.attribute.system->column;
    keys.push_back({"v." + column, key.descending});
  }
  keys.push_back({"v.run_id", keys.back().descending});
  return keys;
}

absl::StatusOr<SqlText> VisibilityPageQuery(absl::string_view namespace_id, const visibility::Query& query,
                                            absl::string_view query_text, int page_size,
                                            absl::string_view page_token, const std::vector<SortKey>& keys,
                                            const VisibilityFlavor& flavor) {
  SqlText sql = VisibilityWhere(namespace_id, query, flavor);
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
    AppendAfterFrom(keys, last, 0, sql);
  }
  std::vector<std::string> order;
  std::vector<std::string> selected;
  for (const SortKey& key : keys) {
    order.push_back(absl::StrCat(key.column, key.descending ? " DESC" : " ASC"));
    selected.push_back(key.column);
  }
  sql.text = absl::StrCat("SELECT v.info, ", absl::StrJoin(selected, ", "), " FROM visibility v WHERE ", sql.text,
                          " ORDER BY ", absl::StrJoin(order, ", "), " LIMIT ?");
  sql.params.emplace_back(int64_t{page_size} + 1);
  return sql;
}

}  // namespace zaman::persistence

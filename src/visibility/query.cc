#include "visibility/query.h"

#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/errors.h"
#include "temporal/api/enums/v1/workflow.pb.h"

namespace zaman::visibility {
namespace {

namespace enums = ::temporal::api::enums::v1;

// Filters nest; a query deeper than this is refused rather than recursed.
constexpr int kMaxDepth = 100;
constexpr size_t kMaxQueryLength = 64 * 1024;

struct Token {
  enum Kind { kEnd, kIdent, kString, kNumber, kOp, kLParen, kRParen, kComma } kind;
  std::string text;  // identifier/op text, string contents, number text
  size_t pos;
  bool quoted = false;  // a `backquoted` identifier: never a keyword
};

class Lexer {
 public:
  explicit Lexer(absl::string_view text) : text_(text) {}

  absl::StatusOr<std::vector<Token>> Run() {
    std::vector<Token> tokens;
    while (true) {
      while (pos_ < text_.size() && absl::ascii_isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
      if (pos_ >= text_.size()) break;
      size_t start = pos_;
      char c = text_[pos_];
      if (c == '(' || c == ')' || c == ',') {
        ++pos_;
        tokens.push_back({c == '(' ? Token::kLParen : c == ')' ? Token::kRParen : Token::kComma, std::string(1, c),
                          start});
      } else if (c == '\'' || c == '"') {
        absl::StatusOr<std::string> s = String(c);
        if (!s.ok()) return s.status();
        tokens.push_back({Token::kString, *std::move(s), start});
      } else if (c == '`') {
        size_t end = text_.find('`', pos_ + 1);
        if (end == absl::string_view::npos) return Error(start, "unterminated `quoted` name");
        tokens.push_back({Token::kIdent, std::string(text_.substr(pos_ + 1, end - pos_ - 1)), start, true});
        pos_ = end + 1;
      } else if (absl::ascii_isdigit(static_cast<unsigned char>(c)) ||
                 ((c == '-' || c == '+' || c == '.') && pos_ + 1 < text_.size() &&
                  (absl::ascii_isdigit(static_cast<unsigned char>(text_[pos_ + 1])) || text_[pos_ + 1] == '.'))) {
        ++pos_;
        while (pos_ < text_.size() && (absl::ascii_isalnum(static_cast<unsigned char>(text_[pos_])) ||
                                       text_[pos_] == '.' ||
                                       ((text_[pos_] == '-' || text_[pos_] == '+') &&
                                        (text_[pos_ - 1] == 'e' || text_[pos_ - 1] == 'E')))) {
          ++pos_;
        }
        tokens.push_back({Token::kNumber, std::string(text_.substr(start, pos_ - start)), start});
      } else if (absl::ascii_isalpha(static_cast<unsigned char>(c)) || c == '_') {
        while (pos_ < text_.size() &&
               (absl::ascii_isalnum(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_' || text_[pos_] == '.')) {
          ++pos_;
        }
        tokens.push_back({Token::kIdent, std::string(text_.substr(start, pos_ - start)), start});
      } else if (c == '=' || c == '!' || c == '<' || c == '>') {
        std::string op(1, c);
        ++pos_;
        if (pos_ < text_.size() && (text_[pos_] == '=' || (c == '<' && text_[pos_] == '>'))) op += text_[pos_++];
        if (op == "!") return Error(start, "'!' must be followed by '='");
        if (op == "<>") op = "!=";
        tokens.push_back({Token::kOp, op, start});
      } else {
        return Error(start, absl::StrCat("unexpected character '", std::string(1, c), "'"));
      }
    }
    tokens.push_back({Token::kEnd, "", text_.size()});
    return tokens;
  }

  static absl::Status Error(size_t pos, absl::string_view what) {
    return errors::InvalidArgument(absl::StrCat("invalid query: ", what, " at position ", pos + 1));
  }

 private:
  // A quoted string; the quote doubled or backslash-escaped stands for itself.
  absl::StatusOr<std::string> String(char quote) {
    size_t start = pos_++;
    std::string out;
    while (pos_ < text_.size()) {
      char c = text_[pos_++];
      if (c == '\\' && pos_ < text_.size()) {
        out += text_[pos_++];
      } else if (c == quote) {
        if (pos_ < text_.size() && text_[pos_] == quote) {
          out += quote;
          ++pos_;
        } else {
          return out;
        }
      } else {
        out += c;
      }
    }
    return Error(start, "unterminated string");
  }

  absl::string_view text_;
  size_t pos_ = 0;
};

bool IsKeyword(const Token& t, absl::string_view word) {
  return t.kind == Token::kIdent && !t.quoted && absl::EqualsIgnoreCase(t.text, word);
}

bool IsReserved(const Token& t) {
  for (absl::string_view w : {"and", "or", "not", "in", "between", "is", "null", "starts_with", "order", "by",
                              "group", "asc", "desc", "like", "limit"}) {
    if (IsKeyword(t, w)) return true;
  }
  return false;
}

std::optional<int> StatusFromName(absl::string_view name) {
  for (int s = enums::WORKFLOW_EXECUTION_STATUS_RUNNING; s <= enums::WorkflowExecutionStatus_MAX; ++s) {
    if (absl::EqualsIgnoreCase(name, StatusName(s))) return s;
  }
  return std::nullopt;
}

class Parser {
 public:
  Parser(std::vector<Token> tokens, const SearchAttributeTypes& custom) : tokens_(std::move(tokens)), custom_(custom) {}

  absl::StatusOr<Query> Run() {
    Query query;
    if (!IsKeyword(Peek(), "order") && !IsKeyword(Peek(), "group") && Peek().kind != Token::kEnd) {
      absl::StatusOr<std::unique_ptr<Expr>> where = Or(0);
      if (!where.ok()) return where.status();
      query.where = *std::move(where);
    }
    if (IsKeyword(Peek(), "group")) {
      Next();
      if (!IsKeyword(Next(), "by")) return Error(Prev(), "expected BY after GROUP");
      do {
        absl::StatusOr<Attribute> attribute = AttributeAt(Next());
        if (!attribute.ok()) return attribute.status();
        if (attribute->name != "ExecutionStatus") {
          return Error(Prev(), "GROUP BY is supported only for ExecutionStatus");
        }
        query.group_by.push_back(*std::move(attribute));
      } while (Accept(Token::kComma));
    }
    if (IsKeyword(Peek(), "order")) {
      Next();
      if (!IsKeyword(Next(), "by")) return Error(Prev(), "expected BY after ORDER");
      do {
        const Token& at = Next();
        absl::StatusOr<Attribute> attribute = AttributeAt(at);
        if (!attribute.ok()) return attribute.status();
        if (attribute->system == nullptr || (attribute->system->nullable && attribute->name != "CloseTime")) {
          return Error(at, absl::StrCat("ORDER BY ", attribute->name, " is not supported"));
        }
        OrderKey key{*std::move(attribute), false};
        if (IsKeyword(Peek(), "desc")) {
          Next();
          key.descending = true;
        } else if (IsKeyword(Peek(), "asc")) {
          Next();
        }
        query.order_by.push_back(std::move(key));
      } while (Accept(Token::kComma));
    }
    if (Peek().kind != Token::kEnd) return Error(Peek(), absl::StrCat("unexpected '", Peek().text, "'"));
    return query;
  }

 private:
  const Token& Peek() const { return tokens_[i_]; }
  const Token& Prev() const { return tokens_[i_ > 0 ? i_ - 1 : 0]; }
  const Token& Next() {
    const Token& t = tokens_[i_];
    if (t.kind != Token::kEnd) ++i_;
    return t;
  }
  bool Accept(Token::Kind kind) {
    if (Peek().kind != kind) return false;
    Next();
    return true;
  }
  static absl::Status Error(const Token& at, absl::string_view what) { return Lexer::Error(at.pos, what); }

  absl::StatusOr<std::unique_ptr<Expr>> Or(int depth) { return Chain(depth, Expr::Kind::kOr, "or"); }

  // a OR b OR c / a AND b AND c, flattened into one node.
  absl::StatusOr<std::unique_ptr<Expr>> Chain(int depth, Expr::Kind kind, absl::string_view word) {
    if (depth > kMaxDepth) return Error(Peek(), "query nests too deeply");
    auto operand = [&]() { return kind == Expr::Kind::kOr ? Chain(depth + 1, Expr::Kind::kAnd, "and") : Unary(depth + 1); };
    absl::StatusOr<std::unique_ptr<Expr>> first = operand();
    if (!first.ok()) return first;
    if (!IsKeyword(Peek(), word)) return first;
    auto node = std::make_unique<Expr>();
    node->kind = kind;
    node->children.push_back(*std::move(first));
    while (IsKeyword(Peek(), word)) {
      Next();
      absl::StatusOr<std::unique_ptr<Expr>> next = operand();
      if (!next.ok()) return next;
      node->children.push_back(*std::move(next));
    }
    return node;
  }

  absl::StatusOr<std::unique_ptr<Expr>> Unary(int depth) {
    if (depth > kMaxDepth) return Error(Peek(), "query nests too deeply");
    if (IsKeyword(Peek(), "not")) {
      Next();
      absl::StatusOr<std::unique_ptr<Expr>> inner = Unary(depth + 1);
      if (!inner.ok()) return inner;
      auto node = std::make_unique<Expr>();
      node->kind = Expr::Kind::kNot;
      node->children.push_back(*std::move(inner));
      return node;
    }
    if (Accept(Token::kLParen)) {
      absl::StatusOr<std::unique_ptr<Expr>> inner = Or(depth + 1);
      if (!inner.ok()) return inner;
      if (!Accept(Token::kRParen)) return Error(Peek(), "expected ')'");
      return inner;
    }
    return Comparison();
  }

  absl::StatusOr<Attribute> AttributeAt(const Token& t) {
    if (t.kind != Token::kIdent || (IsReserved(t) && !t.quoted)) {
      return Error(t, t.kind == Token::kEnd ? "expected a search attribute name, found the end of the query"
                                            : absl::StrCat("expected a search attribute name, found '", t.text, "'"));
    }
    if (const SystemAttribute* system = FindSystemAttribute(t.text)) return Attribute{t.text, system->type, system};
    if (auto it = custom_.find(t.text); it != custom_.end()) return Attribute{t.text, it->second, nullptr};
    if (auto it = PredefinedAttributes().find(t.text); it != PredefinedAttributes().end()) {
      return Attribute{t.text, it->second, nullptr};
    }
    return Error(t, absl::StrCat("unknown search attribute '", t.text, "'"));
  }

  absl::StatusOr<std::unique_ptr<Expr>> Comparison() {
    const Token& name = Next();
    absl::StatusOr<Attribute> attribute = AttributeAt(name);
    if (!attribute.ok()) return attribute.status();
    auto node = std::make_unique<Expr>();
    node->attribute = *std::move(attribute);
    const Token& op = Next();
    bool negated = false;
    const Token* word = &op;
    if (IsKeyword(op, "not")) {
      negated = true;
      word = &Next();
    }
    if (IsKeyword(*word, "in")) {
      node->op = negated ? Op::kNotIn : Op::kIn;
      if (!Accept(Token::kLParen)) return Error(Peek(), "expected '(' after IN");
      do {
        absl::StatusOr<IndexValue> v = Value(node->attribute, Next());
        if (!v.ok()) return v.status();
        node->values.push_back(*std::move(v));
      } while (Accept(Token::kComma));
      if (!Accept(Token::kRParen)) return Error(Peek(), "expected ',' or ')' in the IN list");
    } else if (IsKeyword(*word, "between")) {
      node->op = negated ? Op::kNotBetween : Op::kBetween;
      absl::StatusOr<IndexValue> low = Value(node->attribute, Next());
      if (!low.ok()) return low.status();
      if (!IsKeyword(Next(), "and")) return Error(Prev(), "expected AND in BETWEEN … AND …");
      absl::StatusOr<IndexValue> high = Value(node->attribute, Next());
      if (!high.ok()) return high.status();
      node->values = {*std::move(low), *std::move(high)};
    } else if (IsKeyword(*word, "starts_with")) {
      node->op = negated ? Op::kNotStartsWith : Op::kStartsWith;
      const Token& prefix = Next();
      if (prefix.kind != Token::kString) return Error(prefix, "STARTS_WITH needs a quoted string");
      node->values.push_back(prefix.text);
    } else if (!negated && IsKeyword(op, "is")) {
      bool not_null = IsKeyword(Peek(), "not");
      if (not_null) Next();
      if (!IsKeyword(Next(), "null")) return Error(Prev(), "expected NULL after IS");
      node->op = not_null ? Op::kIsNotNull : Op::kIsNull;
    } else if (!negated && op.kind == Token::kOp) {
      static const std::pair<const char*, Op> kOps[] = {{"=", Op::kEq},  {"!=", Op::kNe}, {"<", Op::kLt},
                                                         {"<=", Op::kLe}, {">", Op::kGt},  {">=", Op::kGe}};
      for (const auto& [text, kind] : kOps) {
        if (op.text == text) node->op = kind;
      }
      absl::StatusOr<IndexValue> v = Value(node->attribute, Next());
      if (!v.ok()) return v.status();
      node->values.push_back(*std::move(v));
    } else if (IsKeyword(*word, "like")) {
      return Error(*word, "LIKE is not supported; use STARTS_WITH or =");
    } else {
      return Error(*word, word->kind == Token::kEnd
                              ? absl::StrCat("expected an operator after ", name.text, ", found the end of the query")
                              : absl::StrCat("expected an operator after ", name.text, ", found '", word->text, "'"));
    }
    if (absl::Status s = CheckOperator(*node, op); !s.ok()) return s;
    return node;
  }

  absl::Status CheckOperator(const Expr& node, const Token& at) {
    const IndexedValueType type = node.attribute.type;
    const bool status = node.attribute.name == "ExecutionStatus";
    auto refuse = [&](absl::string_view what) {
      return Error(at, absl::StrCat(what, " is not supported for ", TypeName(type), " attribute ", node.attribute.name));
    };
    const bool range = node.op == Op::kLt || node.op == Op::kLe || node.op == Op::kGt || node.op == Op::kGe ||
                       node.op == Op::kBetween || node.op == Op::kNotBetween;
    const bool prefix = node.op == Op::kStartsWith || node.op == Op::kNotStartsWith;
    if (range && (status || type == enums::INDEXED_VALUE_TYPE_BOOL || type == enums::INDEXED_VALUE_TYPE_TEXT ||
                  type == enums::INDEXED_VALUE_TYPE_KEYWORD_LIST)) {
      return refuse("a range comparison");
    }
    if (prefix && (status || (type != enums::INDEXED_VALUE_TYPE_KEYWORD && type != enums::INDEXED_VALUE_TYPE_KEYWORD_LIST))) {
      return refuse("STARTS_WITH");
    }
    if (type == enums::INDEXED_VALUE_TYPE_TEXT && (node.op == Op::kIn || node.op == Op::kNotIn)) return refuse("IN");
    return absl::OkStatus();
  }

  // A literal converted to the attribute's index type.
  absl::StatusOr<IndexValue> Value(const Attribute& attribute, const Token& t) {
    auto wrong = [&](absl::string_view expected) {
      return Error(t, absl::StrCat(attribute.name, " is a ", TypeName(attribute.type), ": expected ", expected,
                                   t.kind == Token::kEnd ? ", found the end of the query"
                                                         : absl::StrCat(", found '", t.text, "'")));
    };
    if (attribute.name == "ExecutionStatus") {
      int64_t number = 0;
      if (t.kind == Token::kString) {
        if (std::optional<int> s = StatusFromName(t.text)) return IndexValue(int64_t{*s});
        return Error(t, absl::StrCat("unknown ExecutionStatus '", t.text,
                                     "' (Running, Completed, Failed, Canceled, Terminated, ContinuedAsNew, TimedOut)"));
      }
      if (t.kind == Token::kNumber && absl::SimpleAtoi(t.text, &number)) return IndexValue(number);
      return wrong("a status name in quotes");
    }
    if (attribute.name == "ExecutionDuration" && t.kind == Token::kString) {
      absl::Duration d;
      int64_t ns = 0;
      if (absl::ParseDuration(t.text, &d)) return IndexValue(absl::ToInt64Nanoseconds(d));
      if (absl::SimpleAtoi(t.text, &ns)) return IndexValue(ns);
      return wrong("a duration such as '90s' or '1h30m'");
    }
    switch (attribute.type) {
      case enums::INDEXED_VALUE_TYPE_KEYWORD:
      case enums::INDEXED_VALUE_TYPE_KEYWORD_LIST:
      case enums::INDEXED_VALUE_TYPE_TEXT:
        if (t.kind != Token::kString) return wrong("a quoted string");
        return IndexValue(t.text);
      case enums::INDEXED_VALUE_TYPE_INT: {
        int64_t i = 0;
        if ((t.kind == Token::kNumber || t.kind == Token::kString) && absl::SimpleAtoi(t.text, &i)) return IndexValue(i);
        return wrong("an integer");
      }
      case enums::INDEXED_VALUE_TYPE_DOUBLE: {
        double d = 0;
        if ((t.kind == Token::kNumber || t.kind == Token::kString) && absl::SimpleAtod(t.text, &d)) return IndexValue(d);
        return wrong("a number");
      }
      case enums::INDEXED_VALUE_TYPE_BOOL:
        if ((t.kind == Token::kIdent || t.kind == Token::kString) && absl::EqualsIgnoreCase(t.text, "true")) {
          return IndexValue(int64_t{1});
        }
        if ((t.kind == Token::kIdent || t.kind == Token::kString) && absl::EqualsIgnoreCase(t.text, "false")) {
          return IndexValue(int64_t{0});
        }
        return wrong("true or false");
      case enums::INDEXED_VALUE_TYPE_DATETIME: {
        absl::Time time;
        std::string error;
        int64_t ns = 0;
        if (t.kind == Token::kString && absl::ParseTime(absl::RFC3339_full, t.text, &time, &error)) {
          return IndexValue(absl::ToUnixNanos(time));
        }
        if (t.kind == Token::kNumber && absl::SimpleAtoi(t.text, &ns)) return IndexValue(ns);
        return wrong("an RFC 3339 time in quotes, such as '2026-01-02T15:04:05Z'");
      }
      default:
        return wrong("a value");
    }
  }

  std::vector<Token> tokens_;
  size_t i_ = 0;
  const SearchAttributeTypes& custom_;
};

}  // namespace

absl::string_view StatusName(int status) {
  switch (status) {
    case enums::WORKFLOW_EXECUTION_STATUS_RUNNING: return "Running";
    case enums::WORKFLOW_EXECUTION_STATUS_COMPLETED: return "Completed";
    case enums::WORKFLOW_EXECUTION_STATUS_FAILED: return "Failed";
    case enums::WORKFLOW_EXECUTION_STATUS_CANCELED: return "Canceled";
    case enums::WORKFLOW_EXECUTION_STATUS_TERMINATED: return "Terminated";
    case enums::WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW: return "ContinuedAsNew";
    case enums::WORKFLOW_EXECUTION_STATUS_TIMED_OUT: return "TimedOut";
    case enums::WORKFLOW_EXECUTION_STATUS_PAUSED: return "Paused";
    default: return "Unspecified";
  }
}

absl::StatusOr<Query> ParseQuery(absl::string_view text, const SearchAttributeTypes& custom) {
  if (text.size() > kMaxQueryLength) {
    return errors::InvalidArgument(absl::StrCat("invalid query: longer than ", kMaxQueryLength, " characters"));
  }
  absl::StatusOr<std::vector<Token>> tokens = Lexer(text).Run();
  if (!tokens.ok()) return tokens.status();
  return Parser(*std::move(tokens), custom).Run();
}

namespace {
bool Names(const Expr& e, absl::string_view attribute) {
  if (e.kind == Expr::Kind::kCompare) return e.attribute.name == attribute;
  for (const auto& child : e.children) {
    if (Names(*child, attribute)) return true;
  }
  return false;
}
}  // namespace

void LeaveOutDivisionsUnlessNamed(Query& query) {
  if (query.where != nullptr && Names(*query.where, kNamespaceDivision)) return;
  auto no_division = std::make_unique<Expr>();
  no_division->attribute = Attribute{std::string(kNamespaceDivision), enums::INDEXED_VALUE_TYPE_KEYWORD, nullptr};
  no_division->op = Op::kIsNull;
  if (query.where == nullptr) {
    query.where = std::move(no_division);
    return;
  }
  auto both = std::make_unique<Expr>();
  both->kind = Expr::Kind::kAnd;
  both->children.push_back(std::move(query.where));
  both->children.push_back(std::move(no_division));
  query.where = std::move(both);
}

}  // namespace zaman::visibility

#include "visibility/query.h"

#include <random>

#include <gtest/gtest.h>

#include "temporal/api/enums/v1/workflow.pb.h"

namespace zaman::visibility {
namespace {

namespace enums = ::temporal::api::enums::v1;

const SearchAttributeTypes kCustom = {
    {"CustomerId", enums::INDEXED_VALUE_TYPE_KEYWORD}, {"Amount", enums::INDEXED_VALUE_TYPE_INT},
    {"Score", enums::INDEXED_VALUE_TYPE_DOUBLE},       {"Vip", enums::INDEXED_VALUE_TYPE_BOOL},
    {"Due", enums::INDEXED_VALUE_TYPE_DATETIME},       {"Notes", enums::INDEXED_VALUE_TYPE_TEXT},
    {"Tags", enums::INDEXED_VALUE_TYPE_KEYWORD_LIST},
};

Query Parse(absl::string_view text) {
  absl::StatusOr<Query> q = ParseQuery(text, kCustom);
  EXPECT_TRUE(q.ok()) << text << ": " << q.status();
  return q.ok() ? *std::move(q) : Query{};
}

std::string ErrorOf(absl::string_view text) {
  absl::StatusOr<Query> q = ParseQuery(text, kCustom);
  EXPECT_FALSE(q.ok()) << text << " parsed";
  if (q.ok()) return "";
  EXPECT_EQ(q.status().code(), absl::StatusCode::kInvalidArgument) << text;
  return std::string(q.status().message());
}

TEST(QueryTest, EmptyQueryMatchesEverything) {
  EXPECT_EQ(Parse("").where, nullptr);
  EXPECT_EQ(Parse("   ").where, nullptr);
}

TEST(QueryTest, TypicalFilterBecomesATypedTree) {
  Query q = Parse("WorkflowType = 'Order' AND ExecutionStatus = 'Failed' AND StartTime > '2026-01-02T03:04:05Z'");
  ASSERT_NE(q.where, nullptr);
  ASSERT_EQ(q.where->kind, Expr::Kind::kAnd);
  ASSERT_EQ(q.where->children.size(), 3u);
  const Expr& type = *q.where->children[0];
  EXPECT_EQ(type.attribute.name, "WorkflowType");
  ASSERT_NE(type.attribute.system, nullptr);
  EXPECT_EQ(std::get<std::string>(type.values[0]), "Order");
  const Expr& status = *q.where->children[1];
  EXPECT_EQ(std::get<int64_t>(status.values[0]), enums::WORKFLOW_EXECUTION_STATUS_FAILED);
  const Expr& start = *q.where->children[2];
  EXPECT_EQ(start.op, Op::kGt);
  absl::Time expected = absl::FromCivil(absl::CivilSecond(2026, 1, 2, 3, 4, 5), absl::UTCTimeZone());
  EXPECT_EQ(std::get<int64_t>(start.values[0]), absl::ToUnixNanos(expected));
}

TEST(QueryTest, AndBindsTighterThanOrAndParenthesesRegroup) {
  Query q = Parse("WorkflowId = 'a' OR WorkflowId = 'b' AND RunId = 'c'");
  ASSERT_EQ(q.where->kind, Expr::Kind::kOr);
  EXPECT_EQ(q.where->children[1]->kind, Expr::Kind::kAnd);
  Query p = Parse("(WorkflowId = 'a' OR WorkflowId = 'b') AND RunId = 'c'");
  ASSERT_EQ(p.where->kind, Expr::Kind::kAnd);
  EXPECT_EQ(p.where->children[0]->kind, Expr::Kind::kOr);
}

TEST(QueryTest, EveryOperator) {
  EXPECT_EQ(Parse("Amount != 3").where->op, Op::kNe);
  EXPECT_EQ(Parse("Amount <> 3").where->op, Op::kNe);
  EXPECT_EQ(Parse("Amount <= 3").where->op, Op::kLe);
  EXPECT_EQ(Parse("Amount >= -3").where->op, Op::kGe);
  EXPECT_EQ(std::get<int64_t>(Parse("Amount >= -3").where->values[0]), -3);
  Query in = Parse("CustomerId in ('a', 'b', \"c\")");
  EXPECT_EQ(in.where->op, Op::kIn);
  EXPECT_EQ(in.where->values.size(), 3u);
  EXPECT_EQ(Parse("CustomerId NOT IN ('a')").where->op, Op::kNotIn);
  Query between = Parse("Score BETWEEN 1.5 AND 2e3");
  EXPECT_EQ(between.where->op, Op::kBetween);
  EXPECT_DOUBLE_EQ(std::get<double>(between.where->values[1]), 2000.0);
  EXPECT_EQ(Parse("Amount NOT BETWEEN 1 AND 2").where->op, Op::kNotBetween);
  EXPECT_EQ(Parse("WorkflowId STARTS_WITH 'order-'").where->op, Op::kStartsWith);
  EXPECT_EQ(Parse("WorkflowId NOT STARTS_WITH 'order-'").where->op, Op::kNotStartsWith);
  EXPECT_EQ(Parse("CloseTime IS NULL").where->op, Op::kIsNull);
  EXPECT_EQ(Parse("CustomerId is not null").where->op, Op::kIsNotNull);
  EXPECT_EQ(Parse("NOT (Vip = true)").where->kind, Expr::Kind::kNot);
  EXPECT_EQ(std::get<int64_t>(Parse("Vip = false").where->values[0]), 0);
}

TEST(QueryTest, SpecialValues) {
  EXPECT_EQ(std::get<int64_t>(Parse("ExecutionStatus = 'running'").where->values[0]),
            enums::WORKFLOW_EXECUTION_STATUS_RUNNING);
  EXPECT_EQ(std::get<int64_t>(Parse("ExecutionDuration > '1m30s'").where->values[0]), int64_t{90} * 1000000000);
  EXPECT_EQ(std::get<std::string>(Parse("CustomerId = 'it''s'").where->values[0]), "it's");
  EXPECT_EQ(Parse("`CustomerId` = 'x'").where->attribute.name, "CustomerId");
}

TEST(QueryTest, OrderAndGroup) {
  Query q = Parse("WorkflowType = 'a' ORDER BY StartTime DESC, WorkflowId");
  ASSERT_EQ(q.order_by.size(), 2u);
  EXPECT_TRUE(q.order_by[0].descending);
  EXPECT_FALSE(q.order_by[1].descending);
  EXPECT_EQ(Parse("ORDER BY CloseTime").order_by.size(), 1u);
  EXPECT_EQ(Parse("GROUP BY ExecutionStatus").group_by.size(), 1u);
}

TEST(QueryTest, ErrorsPointAtTheProblem) {
  EXPECT_EQ(ErrorOf("Nope = 'x'"), "invalid query: unknown search attribute 'Nope' at position 1");
  EXPECT_EQ(ErrorOf("WorkflowId = 'x' AND"),
            "invalid query: expected a search attribute name, found the end of the query at position 21");
  EXPECT_EQ(ErrorOf("WorkflowId = 'x"), "invalid query: unterminated string at position 14");
  EXPECT_EQ(ErrorOf("Amount = 'many'"), "invalid query: Amount is a Int: expected an integer, found 'many' at position 10");
  EXPECT_EQ(ErrorOf("StartTime > 'yesterday'").find("RFC 3339"), ErrorOf("StartTime > 'yesterday'").find("RFC 3339"));
  EXPECT_NE(ErrorOf("StartTime > 'yesterday'").find("RFC 3339"), std::string::npos);
  EXPECT_NE(ErrorOf("ExecutionStatus = 'Sleeping'").find("unknown ExecutionStatus 'Sleeping'"), std::string::npos);
  EXPECT_NE(ErrorOf("WorkflowId LIKE 'a%'").find("LIKE is not supported"), std::string::npos);
  EXPECT_NE(ErrorOf("(WorkflowId = 'a'").find("expected ')'"), std::string::npos);
  EXPECT_NE(ErrorOf("WorkflowId = 'a' WorkflowType = 'b'").find("unexpected 'WorkflowType'"), std::string::npos);
  EXPECT_NE(ErrorOf("Notes > 'a'").find("range comparison is not supported for Text"), std::string::npos);
  EXPECT_NE(ErrorOf("Amount STARTS_WITH 'a'").find("STARTS_WITH is not supported"), std::string::npos);
  EXPECT_NE(ErrorOf("ORDER BY CustomerId").find("ORDER BY CustomerId is not supported"), std::string::npos);
  EXPECT_NE(ErrorOf("GROUP BY WorkflowType").find("only for ExecutionStatus"), std::string::npos);
  EXPECT_NE(ErrorOf("WorkflowId = 'a'; DROP TABLE visibility").find("unexpected character ';'"), std::string::npos);
  EXPECT_NE(ErrorOf("WorkflowId IN ()").find("expected a quoted string"), std::string::npos);
}

TEST(QueryTest, DeepNestingIsRefusedNotOverflowed) {
  std::string deep(5000, '(');
  EXPECT_NE(ErrorOf(deep + "WorkflowId = 'a'").find("too deeply"), std::string::npos);
  std::string nots;
  for (int i = 0; i < 5000; ++i) nots += "NOT ";
  EXPECT_NE(ErrorOf(nots + "WorkflowId = 'a'").find("too deeply"), std::string::npos);
}

// Fuzzing: random token soup and random mutations of valid queries must
// parse or fail with InvalidArgument, never crash or hang.
TEST(QueryTest, FuzzedInputNeverCrashes) {
  const std::vector<std::string> pieces = {
      "WorkflowId", "ExecutionStatus", "Amount", "Tags", "Due", "Vip", "Score", "Notes", "=", "!=", "<", ">=",
      "IN", "NOT", "BETWEEN", "AND", "OR", "(", ")", ",", "'x'", "\"y\"", "'Running'", "12", "-1.5e3", "IS",
      "NULL", "STARTS_WITH", "ORDER", "BY", "GROUP", "DESC", "'2026-01-01T00:00:00Z'", "`", "'", "\\", "true",
      "\xff", "\0", "StartTime", "'1h'"};
  std::mt19937 rng(12345);
  int parsed = 0;
  for (int i = 0; i < 50000; ++i) {
    std::string text;
    int n = static_cast<int>(rng() % 12);
    for (int j = 0; j < n; ++j) text += pieces[rng() % pieces.size()] + (rng() % 3 == 0 ? "" : " ");
    absl::StatusOr<Query> q = ParseQuery(text, kCustom);
    if (q.ok()) {
      ++parsed;
    } else {
      ASSERT_EQ(q.status().code(), absl::StatusCode::kInvalidArgument) << text;
    }
  }
  const std::string valid = "WorkflowType = 'Order' AND (Amount BETWEEN 1 AND 5 OR Tags IN ('a','b')) ORDER BY StartTime";
  for (int i = 0; i < 50000; ++i) {
    std::string text = valid;
    int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      size_t at = rng() % (text.size() + 1);
      switch (rng() % 3) {
        case 0: text.insert(at, 1, static_cast<char>(rng() % 256)); break;
        case 1: if (at < text.size()) text.erase(at, 1); break;
        default: if (at < text.size()) text[at] = static_cast<char>(rng() % 256); break;
      }
    }
    absl::StatusOr<Query> q = ParseQuery(text, kCustom);
    if (!q.ok()) ASSERT_EQ(q.status().code(), absl::StatusCode::kInvalidArgument) << text;
  }
  EXPECT_GT(parsed, 0) << "the generator never produced a valid query";
}

}  // namespace
}  // namespace zaman::visibility

#include "persistence/visibility_store.h"

#include <set>

#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "persistence/store.h"
#include "persistence/testing/test_backends.h"
#include "temporal/api/enums/v1/workflow.pb.h"

namespace zaman::persistence {
namespace {

namespace enums = ::temporal::api::enums::v1;
using google::protobuf::util::TimeUtil;

const absl::Time kBase = absl::FromCivil(absl::CivilSecond(2026, 3, 1, 0, 0, 0), absl::UTCTimeZone());

VisibilityRecord Record(const std::string& run, const std::string& type, enums::WorkflowExecutionStatus status,
                        int start_minute, const std::string& customer = "", int64_t version = 1) {
  VisibilityRecord r;
  r.set_namespace_id("ns");
  r.set_version(version);
  auto* info = r.mutable_info();
  info->mutable_execution()->set_workflow_id("wf-" + run);
  info->mutable_execution()->set_run_id(run);
  info->mutable_type()->set_name(type);
  info->set_task_queue("q");
  info->set_status(status);
  *info->mutable_start_time() = TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(kBase + absl::Minutes(start_minute)));
  *info->mutable_execution_time() = info->start_time();
  if (status != enums::WORKFLOW_EXECUTION_STATUS_RUNNING) {
    *info->mutable_close_time() =
        TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(kBase + absl::Minutes(start_minute + 1)));
    *info->mutable_execution_duration() = TimeUtil::SecondsToDuration(60);
  }
  info->set_history_length(5);
  if (!customer.empty()) {
    auto& fields = *info->mutable_search_attributes()->mutable_indexed_fields();
    fields["CustomerId"] = visibility::JsonPayload("\"" + customer + "\"");
    (*fields["CustomerId"].mutable_metadata())["type"] = "Keyword";
    fields["Tags"] = visibility::JsonPayload("[\"gold\",\"" + customer + "\"]");
    (*fields["Tags"].mutable_metadata())["type"] = "KeywordList";
  }
  return r;
}

class VisibilityStoreTest : public ::testing::TestWithParam<testing::TestBackend> {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<Store>> store = testing::OpenFreshStore(GetParam(), ::testing::TempDir());
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    auto& v = store_->visibility();
    ASSERT_TRUE(v.Upsert(Record("r1", "Order", enums::WORKFLOW_EXECUTION_STATUS_RUNNING, 1, "alice")).ok());
    ASSERT_TRUE(v.Upsert(Record("r2", "Order", enums::WORKFLOW_EXECUTION_STATUS_FAILED, 2, "bob")).ok());
    ASSERT_TRUE(v.Upsert(Record("r3", "Order", enums::WORKFLOW_EXECUTION_STATUS_COMPLETED, 3)).ok());
    ASSERT_TRUE(v.Upsert(Record("r4", "Refund", enums::WORKFLOW_EXECUTION_STATUS_FAILED, 4, "alice")).ok());
    ASSERT_TRUE(v.Upsert(Record("r5", "Refund", enums::WORKFLOW_EXECUTION_STATUS_RUNNING, 5)).ok());
  }

  std::vector<std::string> Runs(const std::string& text, int page_size = 100) {
    absl::StatusOr<visibility::Query> q = visibility::ParseQuery(text, custom_);
    EXPECT_TRUE(q.ok()) << q.status();
    std::vector<std::string> runs;
    std::string token;
    do {
      absl::StatusOr<VisibilityPage> page = store_->visibility().List("ns", *q, text, page_size, token);
      EXPECT_TRUE(page.ok()) << page.status();
      if (!page.ok()) break;
      for (const auto& e : page->executions) runs.push_back(e.execution().run_id());
      token = page->next_page_token;
    } while (!token.empty());
    return runs;
  }

  visibility::SearchAttributeTypes custom_ = {{"CustomerId", enums::INDEXED_VALUE_TYPE_KEYWORD},
                                              {"Tags", enums::INDEXED_VALUE_TYPE_KEYWORD_LIST}};
  std::unique_ptr<Store> store_;
};

using Ids = std::vector<std::string>;

TEST_P(VisibilityStoreTest, DefaultOrderIsOpenRunsThenMostRecentlyClosed) {
  EXPECT_EQ(Runs(""), (Ids{"r5", "r1", "r4", "r3", "r2"}));
  EXPECT_EQ(Runs("", 2), (Ids{"r5", "r1", "r4", "r3", "r2"})) << "paging changes nothing";
}

TEST_P(VisibilityStoreTest, SystemAttributeFilters) {
  EXPECT_EQ(Runs("WorkflowType = 'Order' AND ExecutionStatus = 'Failed'"), (Ids{"r2"}));
  EXPECT_EQ(Runs("ExecutionStatus != 'Running' AND StartTime >= '2026-03-01T00:03:00Z'"), (Ids{"r4", "r3"}));
  EXPECT_EQ(Runs("StartTime BETWEEN '2026-03-01T00:02:00Z' AND '2026-03-01T00:03:00Z'"), (Ids{"r3", "r2"}));
  EXPECT_EQ(Runs("WorkflowId IN ('wf-r1', 'wf-r4')"), (Ids{"r1", "r4"}));
  EXPECT_EQ(Runs("WorkflowId STARTS_WITH 'wf-r'").size(), 5u);
  EXPECT_EQ(Runs("CloseTime IS NULL"), (Ids{"r5", "r1"}));
  EXPECT_EQ(Runs("CloseTime IS NOT NULL AND ExecutionDuration >= '1m'"), (Ids{"r4", "r3", "r2"}));
  EXPECT_EQ(Runs("WorkflowType = 'Refund' OR (WorkflowType = 'Order' AND ExecutionStatus = 'Running')"),
            (Ids{"r5", "r1", "r4"}));
  EXPECT_EQ(Runs("NOT (WorkflowType = 'Order')"), (Ids{"r5", "r4"}));
}

TEST_P(VisibilityStoreTest, CustomAttributeFilters) {
  EXPECT_EQ(Runs("CustomerId = 'alice'"), (Ids{"r1", "r4"}));
  EXPECT_EQ(Runs("CustomerId != 'alice'"), (Ids{"r2"})) << "runs without the attribute do not match !=";
  EXPECT_EQ(Runs("CustomerId IS NULL"), (Ids{"r5", "r3"}));
  EXPECT_EQ(Runs("Tags = 'gold' AND WorkflowType = 'Order'"), (Ids{"r1", "r2"}));
  EXPECT_EQ(Runs("Tags != 'bob'"), (Ids{"r5", "r1", "r4", "r3"})) << "a list without the value";
  EXPECT_EQ(Runs("Tags IN ('bob', 'nobody')"), (Ids{"r2"}));
  EXPECT_EQ(Runs("CustomerId STARTS_WITH 'al'"), (Ids{"r1", "r4"}));
}

TEST_P(VisibilityStoreTest, EveryAttributeTypeFiltersByItsOwnKindOfValue) {
  auto typed = [](const std::string& run, int64_t amount, double score, bool vip, const std::string& due,
                  const std::string& note) {
    VisibilityRecord r = Record(run, "Typed", enums::WORKFLOW_EXECUTION_STATUS_RUNNING, 10);
    auto& fields = *r.mutable_info()->mutable_search_attributes()->mutable_indexed_fields();
    auto set = [&](const std::string& name, const std::string& json, const std::string& type) {
      fields[name] = visibility::JsonPayload(json);
      (*fields[name].mutable_metadata())["type"] = type;
    };
    set("Amount", absl::StrCat(amount), "Int");
    set("Score", absl::StrCat(score), "Double");
    set("Vip", vip ? "true" : "false", "Bool");
    set("Due", "\"" + due + "\"", "Datetime");
    set("Note", "\"" + note + "\"", "Text");
    set("Code", "\"" + note.substr(0, 4) + "_%\"", "Keyword");
    return r;
  };
  auto& v = store_->visibility();
  ASSERT_TRUE(v.Upsert(typed("t1", 5, 0.25, true, "2026-04-01T00:00:00Z", "Rush order for Alice")).ok());
  ASSERT_TRUE(v.Upsert(typed("t2", 500, 2.5, false, "2026-05-01T00:00:00Z", "slow lane")).ok());
  custom_ = {{"Amount", enums::INDEXED_VALUE_TYPE_INT},      {"Score", enums::INDEXED_VALUE_TYPE_DOUBLE},
             {"Vip", enums::INDEXED_VALUE_TYPE_BOOL},        {"Due", enums::INDEXED_VALUE_TYPE_DATETIME},
             {"Note", enums::INDEXED_VALUE_TYPE_TEXT},       {"Code", enums::INDEXED_VALUE_TYPE_KEYWORD}};
  EXPECT_EQ(Runs("Amount > 10"), (Ids{"t2"})) << "numbers compare as numbers, not text (\"5\" > \"10\")";
  EXPECT_EQ(Runs("Amount BETWEEN 1 AND 5"), (Ids{"t1"}));
  EXPECT_EQ(Runs("Score < 1.5"), (Ids{"t1"}));
  EXPECT_EQ(Runs("Score = 2.5"), (Ids{"t2"}));
  EXPECT_EQ(Runs("Vip = true"), (Ids{"t1"}));
  EXPECT_EQ(Runs("Due < '2026-04-15T00:00:00Z'"), (Ids{"t1"}));
  EXPECT_EQ(Runs("Note = 'ORDER FOR'"), (Ids{"t1"})) << "text matches a phrase, ignoring case";
  EXPECT_EQ(Runs("WorkflowType = 'Typed' AND Note != 'alice'"), (Ids{"t2"}));
  EXPECT_EQ(Runs("Code STARTS_WITH 'slow'"), (Ids{"t2"}));
  EXPECT_EQ(Runs("Code STARTS_WITH 'slow_'"), (Ids{"t2"}));
  EXPECT_EQ(Runs("Code STARTS_WITH 'slo_'"), Ids{}) << "LIKE's own characters match only themselves";
  EXPECT_EQ(Runs("Code STARTS_WITH 'Rush_%'"), (Ids{"t1"}));
}

// Every IN list of another length is a statement of its own; a connection
// keeps a bounded number prepared and must go on working past that bound.
TEST_P(VisibilityStoreTest, ManyDistinctFiltersKeepWorking) {
  std::string in = "'wf-r1'";
  for (int i = 0; i < 300; ++i) {
    absl::StrAppend(&in, ", 'nobody-", i, "'");
    ASSERT_EQ(Runs(absl::StrCat("WorkflowId IN (", in, ")")), (Ids{"r1"})) << i;
  }
  EXPECT_EQ(Runs("CustomerId = 'alice'"), (Ids{"r1", "r4"}));
  ASSERT_TRUE(store_->visibility().Upsert(Record("r9", "Order", enums::WORKFLOW_EXECUTION_STATUS_RUNNING, 9)).ok());
  EXPECT_EQ(Runs("WorkflowId = 'wf-r9'"), (Ids{"r9"}));
}

TEST_P(VisibilityStoreTest, ValuesAreBoundNotSpliced) {
  EXPECT_TRUE(Runs("WorkflowId = 'x'' OR 1=1 --'").empty());
  EXPECT_TRUE(Runs("CustomerId = 'a\\' OR \\'1\\'=\\'1'").empty());
  EXPECT_EQ(Runs("").size(), 5u) << "nothing was dropped or changed";
}

TEST_P(VisibilityStoreTest, OrderByAndPagesStayValidWhileRowsChange) {
  EXPECT_EQ(Runs("ORDER BY StartTime"), (Ids{"r1", "r2", "r3", "r4", "r5"}));
  EXPECT_EQ(Runs("ORDER BY WorkflowType DESC, StartTime DESC"), (Ids{"r5", "r4", "r3", "r2", "r1"}));

  absl::StatusOr<visibility::Query> q = visibility::ParseQuery("ORDER BY StartTime", custom_);
  absl::StatusOr<VisibilityPage> first = store_->visibility().List("ns", *q, "ORDER BY StartTime", 2, "");
  ASSERT_TRUE(first.ok());
  // A run that sorts before the page boundary appears meanwhile: the next
  // page neither repeats nor skips a row.
  ASSERT_TRUE(store_->visibility().Upsert(Record("r0", "Order", enums::WORKFLOW_EXECUTION_STATUS_RUNNING, 0)).ok());
  absl::StatusOr<VisibilityPage> second =
      store_->visibility().List("ns", *q, "ORDER BY StartTime", 2, first->next_page_token);
  ASSERT_TRUE(second.ok()) << second.status();
  ASSERT_EQ(second->executions.size(), 2u);
  EXPECT_EQ(second->executions[0].execution().run_id(), "r3");
  EXPECT_EQ(second->executions[1].execution().run_id(), "r4");

  absl::StatusOr<visibility::Query> other = visibility::ParseQuery("", custom_);
  EXPECT_EQ(store_->visibility().List("ns", *other, "", 2, first->next_page_token).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->visibility().List("ns", *q, "ORDER BY StartTime", 2, "garbage").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(VisibilityStoreTest, CountAndGroupByStatus) {
  absl::StatusOr<visibility::Query> all = visibility::ParseQuery("WorkflowType = 'Order'", custom_);
  absl::StatusOr<VisibilityCount> count = store_->visibility().Count("ns", *all);
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(count->count, 3);
  absl::StatusOr<visibility::Query> grouped = visibility::ParseQuery("GROUP BY ExecutionStatus", custom_);
  count = store_->visibility().Count("ns", *grouped);
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(count->count, 5);
  EXPECT_EQ(count->by_status, (std::vector<std::pair<int, int64_t>>{
                                  {enums::WORKFLOW_EXECUTION_STATUS_RUNNING, 2},
                                  {enums::WORKFLOW_EXECUTION_STATUS_COMPLETED, 1},
                                  {enums::WORKFLOW_EXECUTION_STATUS_FAILED, 2}}));
}

TEST_P(VisibilityStoreTest, AnOlderUpdateNeverOverwritesANewerOne) {
  auto& v = store_->visibility();
  ASSERT_TRUE(v.Upsert(Record("r1", "Order", enums::WORKFLOW_EXECUTION_STATUS_COMPLETED, 1, "alice", 9)).ok());
  ASSERT_TRUE(v.Upsert(Record("r1", "Order", enums::WORKFLOW_EXECUTION_STATUS_RUNNING, 1, "carol", 3)).ok());
  EXPECT_EQ(Runs("ExecutionStatus = 'Completed' AND CustomerId = 'alice'"), (Ids{"r1"}));
  EXPECT_EQ(Runs("CustomerId = 'carol'"), Ids{});
  EXPECT_EQ(Runs("WorkflowId = 'wf-r1' AND ExecutionStatus = 'Completed'"), (Ids{"r1"}));
  ASSERT_TRUE(v.Delete("ns", "r1").ok());
  EXPECT_EQ(Runs("WorkflowId = 'wf-r1'"), Ids{});
  EXPECT_EQ(Runs("CustomerId = 'alice'"), (Ids{"r4"}));
}

INSTANTIATE_TEST_SUITE_P(Backends, VisibilityStoreTest, ::testing::ValuesIn(testing::TestBackends()),
                         [](const ::testing::TestParamInfo<testing::TestBackend>& info) { return info.param.name; });

}  // namespace
}  // namespace zaman::persistence

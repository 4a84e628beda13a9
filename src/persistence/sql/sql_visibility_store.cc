#include <limits>

#include <google/protobuf/util/time_util.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/errors.h"
#include "persistence/sql/sql_stores.h"
#include "persistence/visibility_sql.h"
#include "visibility/search_attributes.h"

namespace zaman::persistence::sql {
namespace {

namespace enums = ::temporal::api::enums::v1;
using google::protobuf::util::TimeUtil;
using visibility::IndexValue;

constexpr int64_t kOpen = std::numeric_limits<int64_t>::max();

int64_t Nanos(const google::protobuf::Timestamp& t) { return TimeUtil::TimestampToNanoseconds(t); }

// Each kind of value has a typed column of its own.
std::string ValueColumn(visibility::IndexedValueType type) {
  switch (type) {
    case enums::INDEXED_VALUE_TYPE_INT:
    case enums::INDEXED_VALUE_TYPE_BOOL:
    case enums::INDEXED_VALUE_TYPE_DATETIME:
      return "int_value";
    case enums::INDEXED_VALUE_TYPE_DOUBLE:
      return "double_value";
    default:
      return "string_value";
  }
}

Value FromIndex(const IndexValue& v) {
  if (const auto* n = std::get_if<int64_t>(&v)) return *n;
  if (const auto* d = std::get_if<double>(&v)) return *d;
  return std::get<std::string>(v);
}

std::vector<Value> Params(const std::vector<IndexValue>& values) {
  std::vector<Value> params;
  params.reserve(values.size());
  for (const IndexValue& v : values) params.push_back(FromIndex(v));
  return params;
}

Value OptionalText(const std::string& s) { return s.empty() ? Value{} : Value{s}; }

class SqlVisibilityStore final : public VisibilityStore {
 public:
  SqlVisibilityStore(ConnectionPool& pool, Dialect dialect)
      : pool_(pool), flavor_{&ValueColumn, ContainsIgnoringCase(dialect), true} {}

  absl::Status UpsertMany(const std::vector<VisibilityRecord>& records) override {
    return pool_.Transaction([&](Connection& c) -> absl::Status {
      for (const VisibilityRecord& record : records) {
        if (absl::Status s = UpsertOne(c, record); !s.ok()) return s;
      }
      return absl::OkStatus();
    });
  }

  absl::Status Delete(absl::string_view namespace_id, absl::string_view run_id) override {
    return pool_.Transaction([&](Connection& c) -> absl::Status {
      for (const char* table : {"visibility", "visibility_search_attributes"}) {
        absl::StatusOr<Result> r = c.Run(absl::StrCat("DELETE FROM ", table, " WHERE namespace_id = ? AND run_id = ?"),
                                         {std::string(namespace_id), std::string(run_id)});
        if (!r.ok()) return r.status();
      }
      return absl::OkStatus();
    });
  }

  absl::StatusOr<VisibilityPage> List(absl::string_view namespace_id, const visibility::Query& query,
                                      absl::string_view query_text, int page_size,
                                      absl::string_view page_token) override {
    const std::vector<SortKey> keys = VisibilitySortKeys(query);
    absl::StatusOr<SqlText> page_query =
        VisibilityPageQuery(namespace_id, query, query_text, page_size, page_token, keys, flavor_);
    if (!page_query.ok()) return page_query.status();
    absl::StatusOr<Result> r = pool_.Query(page_query->text, Params(page_query->params));
    if (!r.ok()) return r.status();
    VisibilityPage page;
    v1::VisibilityPageToken next;
    for (size_t row = 0; row < r->rows(); ++row) {
      if (static_cast<int>(page.executions.size()) == page_size) {
        next.set_query(std::string(query_text));
        page.next_page_token = next.SerializeAsString();
        break;
      }
      WorkflowExecutionInfo& info = page.executions.emplace_back();
      if (!info.ParseFromString(r->Bytes(row, 0))) return errors::Internal("a stored visibility record does not parse");
      next.clear_keys();
      for (size_t k = 0; k + 1 < keys.size(); ++k) {
        const Value& cell = r->at(row, static_cast<int>(k) + 1);
        if (const auto* s = std::get_if<std::string>(&cell)) {
          next.add_keys()->set_string_value(*s);
        } else {
          next.add_keys()->set_int_value(r->Int(row, static_cast<int>(k) + 1));
        }
      }
      next.set_run_id(info.execution().run_id());
    }
    return page;
  }

  absl::StatusOr<VisibilityCount> Count(absl::string_view namespace_id, const visibility::Query& query) override {
    SqlText sql = VisibilityWhere(namespace_id, query, flavor_);
    const bool grouped = !query.group_by.empty();
    absl::StatusOr<Result> r = pool_.Query(
        grouped ? absl::StrCat("SELECT v.status, COUNT(*) FROM visibility v WHERE ", sql.text,
                               " GROUP BY v.status ORDER BY v.status")
                : absl::StrCat("SELECT COUNT(*) FROM visibility v WHERE ", sql.text),
        Params(sql.params));
    if (!r.ok()) return r.status();
    VisibilityCount count;
    for (size_t row = 0; row < r->rows(); ++row) {
      if (grouped) {
        int64_t n = r->Int(row, 1);
        count.by_status.emplace_back(static_cast<int>(r->Int(row, 0)), n);
        count.count += n;
      } else {
        count.count = r->Int(row, 0);
      }
    }
    return count;
  }

 private:
  // Inside the caller's transaction. The row lock orders concurrent upserts
  // of one run; the higher version wins whatever the order.
  absl::Status UpsertOne(Connection& c, const VisibilityRecord& record) {
    const WorkflowExecutionInfo& info = record.info();
    const std::string& ns = record.namespace_id();
    const std::string& run_id = info.execution().run_id();
    absl::StatusOr<Result> current =
        c.Run("SELECT version FROM visibility WHERE namespace_id = ? AND run_id = ? FOR UPDATE", {ns, run_id});
    if (!current.ok()) return current.status();
    if (current->rows() > 0) {
      if (current->Int(0, 0) > record.version()) return absl::OkStatus();  // stale
      for (const char* table : {"visibility", "visibility_search_attributes"}) {
        absl::StatusOr<Result> r =
            c.Run(absl::StrCat("DELETE FROM ", table, " WHERE namespace_id = ? AND run_id = ?"), {ns, run_id});
        if (!r.ok()) return r.status();
      }
    }
    const bool closed = info.has_close_time();
    absl::StatusOr<Result> inserted = c.Run(
        "INSERT INTO visibility (namespace_id, run_id, workflow_id, workflow_type, task_queue, status,"
        " start_time, execution_time, close_time, sort_close, execution_duration, history_length,"
        " history_size_bytes, parent_workflow_id, parent_run_id, root_workflow_id, root_run_id, version, info)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        {ns, run_id, info.execution().workflow_id(), info.type().name(), info.task_queue(),
         static_cast<int64_t>(info.status()), Nanos(info.start_time()),
         Nanos(info.has_execution_time() ? info.execution_time() : info.start_time()),
         closed ? Value{Nanos(info.close_time())} : Value{}, closed ? Nanos(info.close_time()) : kOpen,
         closed ? Value{TimeUtil::DurationToNanoseconds(info.execution_duration())} : Value{},
         info.history_length(), info.history_size_bytes(), OptionalText(info.parent_execution().workflow_id()),
         OptionalText(info.parent_execution().run_id()), OptionalText(info.root_execution().workflow_id()),
         OptionalText(info.root_execution().run_id()), record.version(), Bytes{info.SerializeAsString()}});
    if (!inserted.ok()) return inserted.status();
    for (const visibility::IndexedAttribute& attribute : visibility::IndexedAttributes(info.search_attributes())) {
      const std::string column = ValueColumn(attribute.type);
      for (const IndexValue& v : attribute.values) {
        absl::StatusOr<Result> r = c.Run(
            absl::StrCat("INSERT INTO visibility_search_attributes (namespace_id, run_id, name, ", column,
                         ") VALUES (?, ?, ?, ?)"),
            {ns, run_id, attribute.name, FromIndex(v)});
        if (!r.ok()) return r.status();
      }
    }
    return absl::OkStatus();
  }

  ConnectionPool& pool_;
  const VisibilityFlavor flavor_;
};

}  // namespace

std::unique_ptr<VisibilityStore> NewVisibilityStore(ConnectionPool& pool, Dialect dialect) {
  return std::make_unique<SqlVisibilityStore>(pool, dialect);
}

}  // namespace zaman::persistence::sql

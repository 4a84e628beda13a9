// Visibility RPCs (finding runs with the list-filter language) and the
// OperatorService calls that define custom search attributes.
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
#include "common/errors.h"
#include "frontend/grpc_status.h"
#include "frontend/workflow_service.h"
#include "frontend/workflow_service_calls.h"
#include "visibility/query.h"

#include <google/protobuf/util/time_util.h>

namespace zaman::frontend {

using history::NamespaceRef;

namespace {

namespace enums = ::temporal::api::enums::v1;
using ::google::protobuf::util::TimeUtil;

// Temporal's frontend.visibilityMaxPageSize: the default and the largest page.
constexpr int kMaxPageSize = 1000;

int PageSize(int requested) { return requested <= 0 || requested > kMaxPageSize ? kMaxPageSize : requested; }

// A literal for a generated filter: quoted, quotes doubled.
std::string Quote(const std::string& value) { return absl::StrCat("'", absl::StrReplaceAll(value, {{"'", "''"}}), "'"); }

std::string TimeLiteral(const google::protobuf::Timestamp& t) {
  return Quote(absl::FormatTime(absl::RFC3339_full, absl::FromUnixNanos(TimeUtil::TimestampToNanoseconds(t)),
                                absl::UTCTimeZone()));
}

// The older List{Open,Closed} calls' filters, in the filter language.
std::string TimeRange(const char* attribute, const temporal::api::filter::v1::StartTimeFilter& filter) {
  std::string range;
  if (filter.has_earliest_time() && TimeUtil::TimestampToNanoseconds(filter.earliest_time()) > 0) {
    range += absl::StrCat(" AND ", attribute, " >= ", TimeLiteral(filter.earliest_time()));
  }
  if (filter.has_latest_time() && TimeUtil::TimestampToNanoseconds(filter.latest_time()) > 0) {
    range += absl::StrCat(" AND ", attribute, " <= ", TimeLiteral(filter.latest_time()));
  }
  return range;
}

template <typename Request>
std::string ExecutionOrTypeFilter(const Request& request) {
  std::string filter;
  if (request.has_execution_filter()) {
    if (!request.execution_filter().workflow_id().empty()) {
      filter += " AND WorkflowId = " + Quote(request.execution_filter().workflow_id());
    }
    if (!request.execution_filter().run_id().empty()) {
      filter += " AND RunId = " + Quote(request.execution_filter().run_id());
    }
  } else if (request.has_type_filter() && !request.type_filter().name().empty()) {
    filter += " AND WorkflowType = " + Quote(request.type_filter().name());
  }
  return filter;
}

}  // namespace


absl::StatusOr<persistence::VisibilityPage> WorkflowService::ListRuns(const NamespaceRef& ns, const std::string& query,
                                                                      int page_size, const std::string& page_token) {
  absl::StatusOr<visibility::Query> parsed = visibility::ParseQuery(query, *ns.search_attributes);
  if (!parsed.ok()) return parsed.status();
  if (!parsed->group_by.empty()) return errors::InvalidArgument("invalid query: GROUP BY is only for counting");
  visibility::LeaveOutDivisionsUnlessNamed(*parsed);
  return backends_.visibility.List(ns.id, *parsed, query, PageSize(page_size), page_token);
}

grpc::ServerUnaryReactor* WorkflowService::ListWorkflowExecutions(grpc::CallbackServerContext* context,
                                                                  const wsv1::ListWorkflowExecutionsRequest* request,
                                                                  wsv1::ListWorkflowExecutionsResponse* response) {
  return ReadInNamespace(context, request->namespace_(), response,
                         [this, request](const NamespaceRef& ns) -> absl::StatusOr<wsv1::ListWorkflowExecutionsResponse> {
                           absl::StatusOr<persistence::VisibilityPage> page =
                               ListRuns(ns, request->query(), request->page_size(), request->next_page_token());
                           if (!page.ok()) return page.status();
                           wsv1::ListWorkflowExecutionsResponse r;
                           for (auto& e : page->executions) *r.add_executions() = std::move(e);
                           r.set_next_page_token(page->next_page_token);
                           return r;
                         });
}

grpc::ServerUnaryReactor* WorkflowService::ScanWorkflowExecutions(grpc::CallbackServerContext* context,
                                                                  const wsv1::ScanWorkflowExecutionsRequest* request,
                                                                  wsv1::ScanWorkflowExecutionsResponse* response) {
  return ReadInNamespace(context, request->namespace_(), response,
                         [this, request](const NamespaceRef& ns) -> absl::StatusOr<wsv1::ScanWorkflowExecutionsResponse> {
                           absl::StatusOr<persistence::VisibilityPage> page =
                               ListRuns(ns, request->query(), request->page_size(), request->next_page_token());
                           if (!page.ok()) return page.status();
                           wsv1::ScanWorkflowExecutionsResponse r;
                           for (auto& e : page->executions) *r.add_executions() = std::move(e);
                           r.set_next_page_token(page->next_page_token);
                           return r;
                         });
}

grpc::ServerUnaryReactor* WorkflowService::CountWorkflowExecutions(grpc::CallbackServerContext* context,
                                                                   const wsv1::CountWorkflowExecutionsRequest* request,
                                                                   wsv1::CountWorkflowExecutionsResponse* response) {
  return ReadInNamespace(
      context, request->namespace_(), response,
      [this, request](const NamespaceRef& ns) -> absl::StatusOr<wsv1::CountWorkflowExecutionsResponse> {
        absl::StatusOr<visibility::Query> parsed = visibility::ParseQuery(request->query(), *ns.search_attributes);
        if (!parsed.ok()) return parsed.status();
        if (!parsed->order_by.empty()) return errors::InvalidArgument("invalid query: ORDER BY is not allowed in a count");
        visibility::LeaveOutDivisionsUnlessNamed(*parsed);
        absl::StatusOr<persistence::VisibilityCount> count = backends_.visibility.Count(ns.id, *parsed);
        if (!count.ok()) return count.status();
        wsv1::CountWorkflowExecutionsResponse r;
        r.set_count(count->count);
        for (const auto& [status, n] : count->by_status) {
          auto* group = r.add_groups();
          auto* value = group->add_group_values();
          *value = visibility::JsonPayload(absl::StrCat("\"", visibility::StatusName(status), "\""));
          (*value->mutable_metadata())["type"] = "Keyword";
          group->set_count(n);
        }
        return r;
      });
}

grpc::ServerUnaryReactor* WorkflowService::ListOpenWorkflowExecutions(
    grpc::CallbackServerContext* context, const wsv1::ListOpenWorkflowExecutionsRequest* request,
    wsv1::ListOpenWorkflowExecutionsResponse* response) {
  return ReadInNamespace(
      context, request->namespace_(), response,
      [this, request](const NamespaceRef& ns) -> absl::StatusOr<wsv1::ListOpenWorkflowExecutionsResponse> {
        std::string query = absl::StrCat("ExecutionStatus = 'Running'", TimeRange("StartTime", request->start_time_filter()),
                                         ExecutionOrTypeFilter(*request), " ORDER BY StartTime DESC");
        absl::StatusOr<persistence::VisibilityPage> page =
            ListRuns(ns, query, request->maximum_page_size(), request->next_page_token());
        if (!page.ok()) return page.status();
        wsv1::ListOpenWorkflowExecutionsResponse r;
        for (auto& e : page->executions) *r.add_executions() = std::move(e);
        r.set_next_page_token(page->next_page_token);
        return r;
      });
}

grpc::ServerUnaryReactor* WorkflowService::ListClosedWorkflowExecutions(
    grpc::CallbackServerContext* context, const wsv1::ListClosedWorkflowExecutionsRequest* request,
    wsv1::ListClosedWorkflowExecutionsResponse* response) {
  return ReadInNamespace(
      context, request->namespace_(), response,
      [this, request](const NamespaceRef& ns) -> absl::StatusOr<wsv1::ListClosedWorkflowExecutionsResponse> {
        std::string query = absl::StrCat("ExecutionStatus != 'Running'",
                                         TimeRange("CloseTime", request->start_time_filter()),
                                         ExecutionOrTypeFilter(*request));
        if (request->has_status_filter() &&
            request->status_filter().status() != enums::WORKFLOW_EXECUTION_STATUS_UNSPECIFIED) {
          absl::StrAppend(&query, " AND ExecutionStatus = ", static_cast<int>(request->status_filter().status()));
        }
        absl::StrAppend(&query, " ORDER BY CloseTime DESC");
        absl::StatusOr<persistence::VisibilityPage> page =
            ListRuns(ns, query, request->maximum_page_size(), request->next_page_token());
        if (!page.ok()) return page.status();
        wsv1::ListClosedWorkflowExecutionsResponse r;
        for (auto& e : page->executions) *r.add_executions() = std::move(e);
        r.set_next_page_token(page->next_page_token);
        return r;
      });
}

grpc::ServerUnaryReactor* WorkflowService::GetSearchAttributes(grpc::CallbackServerContext* context,
                                                               const wsv1::GetSearchAttributesRequest*,
                                                               wsv1::GetSearchAttributesResponse* response) {
  // The request names no namespace: the attributes every namespace has.
  auto& keys = *response->mutable_keys();
  for (const auto& a : visibility::SystemAttributes()) keys[a.name] = a.type;
  for (const auto& [name, type] : visibility::PredefinedAttributes()) keys[name] = type;
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

// --- OperatorService: custom search attributes ------------------------------

absl::Status OperatorService::ChangeSearchAttributes(
    const std::string& ns, const std::function<absl::Status(persistence::NamespaceRecord&)>& change) {
  if (ns.empty()) return errors::InvalidArgument("Namespace is not set on request.");
  for (int attempt = 0; attempt < 10; ++attempt) {
    absl::StatusOr<persistence::StoredNamespace> stored = store_.GetNamespaceByName(ns);
    if (stored.status().code() == absl::StatusCode::kNotFound) return errors::NamespaceNotFound(ns);
    if (!stored.ok()) return stored.status();
    if (absl::Status s = change(stored->record); !s.ok()) return s;
    absl::Status updated = store_.UpdateNamespace(stored->record, stored->version);
    if (errors::IsConditionFailed(updated)) continue;  // changed meanwhile: read it again
    if (!updated.ok()) return updated;
    registry_.Forget(ns);
    return absl::OkStatus();
  }
  return errors::Unavailable("namespace is being changed concurrently; try again");
}

grpc::ServerUnaryReactor* OperatorService::AddSearchAttributes(grpc::CallbackServerContext* context,
                                                               const opv1::AddSearchAttributesRequest* request,
                                                               opv1::AddSearchAttributesResponse*) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  blocking_pool_.Post([this, reactor, request] {
    if (request->search_attributes().empty()) {
      return reactor->Finish(ToGrpcStatus(errors::InvalidArgument("SearchAttributes are not set on request.")));
    }
    absl::Status s = ChangeSearchAttributes(request->namespace_(), [request](persistence::NamespaceRecord& record) {
      auto& defined = *record.mutable_search_attributes();
      for (const auto& [name, type] : request->search_attributes()) {
        if (absl::Status valid = visibility::ValidateCustomName(name); !valid.ok()) return valid;
        if (type == enums::INDEXED_VALUE_TYPE_UNSPECIFIED || !enums::IndexedValueType_IsValid(type)) {
          return errors::InvalidArgument(absl::StrCat("Unknown search attribute type for ", name, "."));
        }
        auto it = defined.find(name);
        if (it != defined.end() && it->second != type) {
          return absl::AlreadyExistsError(absl::StrCat("Search attribute ", name, " already exists as ",
                                                       visibility::TypeName(it->second), "."));
        }
        defined[name] = type;  // the same definition again changes nothing
      }
      return absl::OkStatus();
    });
    reactor->Finish(ToGrpcStatus(s));
  });
  return reactor;
}

grpc::ServerUnaryReactor* OperatorService::RemoveSearchAttributes(grpc::CallbackServerContext* context,
                                                                  const opv1::RemoveSearchAttributesRequest* request,
                                                                  opv1::RemoveSearchAttributesResponse*) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  blocking_pool_.Post([this, reactor, request] {
    absl::Status s = ChangeSearchAttributes(request->namespace_(), [request](persistence::NamespaceRecord& record) {
      auto& defined = *record.mutable_search_attributes();
      for (const std::string& name : request->search_attributes()) {
        if (defined.erase(name) == 0) {
          return absl::NotFoundError(absl::StrCat("Search attribute ", name, " doesn't exist."));
        }
      }
      return absl::OkStatus();
    });
    reactor->Finish(ToGrpcStatus(s));
  });
  return reactor;
}

grpc::ServerUnaryReactor* OperatorService::ListSearchAttributes(grpc::CallbackServerContext* context,
                                                                const opv1::ListSearchAttributesRequest* request,
                                                                opv1::ListSearchAttributesResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  blocking_pool_.Post([this, reactor, request, response] {
    auto& system = *response->mutable_system_attributes();
    for (const auto& a : visibility::SystemAttributes()) system[a.name] = a.type;
    for (const auto& [name, type] : visibility::PredefinedAttributes()) system[name] = type;
    if (!request->namespace_().empty()) {
      absl::StatusOr<NamespaceRef> ns = registry_.Resolve(request->namespace_());
      if (!ns.ok()) return reactor->Finish(ToGrpcStatus(ns.status()));
      for (const auto& [name, type] : *ns->search_attributes) (*response->mutable_custom_attributes())[name] = type;
    }
    reactor->Finish(grpc::Status::OK);
  });
  return reactor;
}

}  // namespace zaman::frontend

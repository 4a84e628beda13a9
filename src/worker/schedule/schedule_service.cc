#include "worker/schedule/schedule_service.h"

#include <spdlog/spdlog.h>

#include "absl/hash/hash.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/proto_time.h"
#include "visibility/query.h"
#include "visibility/search_attributes.h"

namespace zaman::worker::schedule {
namespace {

namespace enums = ::temporal::api::enums::v1;
namespace sched = ::temporal::api::schedule::v1;
using temporal::api::common::v1::Payload;

constexpr char kKind[] = "schedule";
constexpr int kMaxPageSize = 1000;
constexpr int kDueBatch = 100;
constexpr int kMutateAttempts = 5;

std::string JitterSeed(const std::string& namespace_id, const std::string& schedule_id) {
  return absl::StrCat(namespace_id, "-", schedule_id);
}

std::string ConflictToken(int64_t token) {
  std::string bytes(8, '\0');
  for (int i = 7; i >= 0; --i, token >>= 8) bytes[i] = static_cast<char>(token & 0xff);
  return bytes;
}

int64_t ParseConflictToken(const std::string& bytes) {
  uint64_t token = 0;
  for (int i = 0; i < 8; ++i) token = (token << 8) | static_cast<unsigned char>(bytes[i]);
  return static_cast<int64_t>(token);
}

Payload Typed(std::string json, absl::string_view type) {
  Payload p = visibility::JsonPayload(json);
  (*p.mutable_metadata())["type"] = std::string(type);
  return p;
}

absl::Status NotFound(const std::string& schedule_id) {
  return absl::NotFoundError(absl::StrCat("schedule not found: ", schedule_id));
}

// The user's part of a schedule's memo and search attributes (null when empty).
void CleanForUser(temporal::api::common::v1::Memo* memo, temporal::api::common::v1::SearchAttributes* attributes) {
  if (memo != nullptr) memo->mutable_fields()->erase(std::string(kMemoInfoField));
  if (attributes != nullptr) {
    auto& fields = *attributes->mutable_indexed_fields();
    for (const char* name : {"TemporalSchedulePaused", "TemporalNamespaceDivision", "BinaryChecksums", "BuildIds"}) {
      fields.erase(name);
    }
  }
}

// The visibility filter of a namespace's schedules, and the user's.
std::string ScheduleQuery(const std::string& user_query) {
  std::string query = absl::StrCat("WorkflowType = '", kVisibilityWorkflowType,
                                   "' AND ExecutionStatus = 'Running' AND TemporalNamespaceDivision = '",
                                   kNamespaceDivision, "'");
  if (!absl::StripAsciiWhitespace(user_query).empty()) absl::StrAppend(&query, " AND (", user_query, ")");
  return query;
}

}  // namespace

ScheduleService::ScheduleService(persistence::JobStore& jobs, persistence::VisibilityStore& visibility,
                                 WorkflowActions& actions, Clock& clock, TimerService& timers, ThreadPool& pool,
                                 Random& random)
    : jobs_(jobs), visibility_(visibility), actions_(actions), clock_(clock), timers_(timers), pool_(pool),
      random_(random) {}

ScheduleService::~ScheduleService() { Stop(); }

void ScheduleService::Start() {
  {
    absl::MutexLock lock(&mu_);
    stopped_ = false;
  }
  pool_.Post([this] { RunDue(); });
}

void ScheduleService::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopped_ = true;
    timers_.Cancel(timer_);
    armed_at_ = absl::InfiniteFuture();
  }
  absl::MutexLock wait_for_run(&run_mu_);
}

absl::Mutex& ScheduleService::LockFor(const std::string& namespace_id, const std::string& schedule_id) {
  return schedule_locks_[absl::HashOf(namespace_id, schedule_id) % schedule_locks_.size()];
}

void ScheduleService::Arm(absl::Time wake) {
  absl::MutexLock lock(&mu_);
  if (stopped_ || wake >= armed_at_) return;
  timers_.Cancel(timer_);
  armed_at_ = wake;
  timer_ = timers_.Schedule(wake, [this] { pool_.Post([this] { RunDue(); }); });
}

void ScheduleService::RunDue() {
  absl::MutexLock one_at_a_time(&run_mu_);
  {
    absl::MutexLock lock(&mu_);
    if (stopped_) return;
    armed_at_ = absl::InfiniteFuture();
  }
  const absl::Time now = clock_.Now();
  absl::StatusOr<std::vector<persistence::StoredJob>> due = jobs_.DueJobs(kKind, now, kDueBatch);
  if (!due.ok()) {
    spdlog::warn("schedules: reading due schedules: {}", due.status().ToString());
  } else {
    for (const persistence::StoredJob& job : *due) {
      absl::Status s = Mutate(job.namespace_id, job.job_id, nullptr);
      if (!s.ok() && s.code() != absl::StatusCode::kNotFound) {
        spdlog::warn("schedules: running {}: {}", job.job_id, s.ToString());
      }
    }
  }
  // The earliest wake-up in the store; a schedule still due (it failed,
  // or more are due than one batch) is looked at again in a second.
  absl::Time wake = now + kDuePollInterval;
  absl::StatusOr<std::vector<persistence::StoredJob>> earliest =
      jobs_.DueJobs(kKind, now + kDefaultCatchupWindow * 10, 1);
  if (earliest.ok() && !earliest->empty()) {
    absl::Time next = earliest->front().wake_at;
    wake = std::min(wake, next <= now ? now + absl::Seconds(1) : next);
  }
  Arm(wake);
}

absl::StatusOr<ScheduleRecord> ScheduleService::Load(const std::string& namespace_id, const std::string& schedule_id,
                                                     int64_t* version) {
  absl::StatusOr<persistence::StoredJob> job = jobs_.GetJob(namespace_id, kKind, schedule_id);
  if (!job.ok()) return job.status().code() == absl::StatusCode::kNotFound ? NotFound(schedule_id) : job.status();
  ScheduleRecord record;
  if (!record.ParseFromString(job->state)) return errors::Internal("a stored schedule does not parse");
  if (version != nullptr) *version = job->version;
  return record;
}

absl::Status ScheduleService::Mutate(
    const std::string& namespace_id, const std::string& schedule_id,
    const std::function<absl::Status(Scheduler&, ScheduleRecord&, absl::Time)>& change, ScheduleRecord* out) {
  absl::MutexLock lock(&LockFor(namespace_id, schedule_id));
  for (int attempt = 0; attempt < kMutateAttempts; ++attempt) {
    int64_t version = 0;
    absl::StatusOr<ScheduleRecord> record = Load(namespace_id, schedule_id, &version);
    if (!record.ok()) return record.status();
    absl::StatusOr<Scheduler> scheduler = Scheduler::Open(*record, JitterSeed(namespace_id, schedule_id), actions_);
    if (!scheduler.ok()) return errors::Internal(absl::StrCat("stored schedule: ", scheduler.status().message()));
    const absl::Time now = clock_.Now();
    if (change) {
      if (absl::Status s = change(*scheduler, *record, now); !s.ok()) return s;
    }
    const absl::Time wake = scheduler->Run(now);
    if (scheduler->Deleted()) {
      absl::Status s = jobs_.DeleteJob(namespace_id, kKind, schedule_id);
      if (s.ok() || s.code() == absl::StatusCode::kNotFound) s = visibility_.Delete(namespace_id, record->run_id());
      return s;
    }
    persistence::StoredJob job;
    job.namespace_id = namespace_id;
    job.kind = kKind;
    job.job_id = schedule_id;
    job.state = record->SerializeAsString();
    job.wake_at = wake;
    absl::Status stored = jobs_.UpdateJob(job, version);
    if (errors::IsConditionFailed(stored)) continue;  // another writer won: again from its state
    if (!stored.ok()) return stored;
    if (absl::Status s = WriteVisibility(namespace_id, *record, *scheduler, version + 1); !s.ok()) {
      spdlog::warn("schedules: visibility of {}: {}", schedule_id, s.ToString());
    }
    Arm(wake);
    if (out != nullptr) *out = *std::move(record);
    return absl::OkStatus();
  }
  return errors::Unavailable(absl::StrCat("schedule ", schedule_id, " is changing concurrently; try again"));
}

absl::Status ScheduleService::WriteVisibility(const std::string& namespace_id, const ScheduleRecord& record,
                                              const Scheduler& scheduler, int64_t version) {
  persistence::VisibilityRecord row;
  row.set_namespace_id(namespace_id);
  row.set_version(version);
  temporal::api::workflow::v1::WorkflowExecutionInfo& info = *row.mutable_info();
  info.mutable_execution()->set_workflow_id(absl::StrCat(kVisibilityWorkflowIdPrefix, record.schedule_id()));
  info.mutable_execution()->set_run_id(record.run_id());
  info.mutable_type()->set_name(std::string(kVisibilityWorkflowType));
  *info.mutable_start_time() = record.info().create_time();
  *info.mutable_execution_time() = record.info().create_time();
  info.set_status(enums::WORKFLOW_EXECUTION_STATUS_RUNNING);
  info.set_task_queue("temporal-sys-per-ns-tq");
  *info.mutable_memo() = record.memo();
  Payload list_info;
  (*list_info.mutable_metadata())["encoding"] = "binary/plain";
  list_info.set_data(scheduler.ListInfo().SerializeAsString());
  (*info.mutable_memo()->mutable_fields())[std::string(kMemoInfoField)] = std::move(list_info);
  *info.mutable_search_attributes() = record.search_attributes();
  auto& fields = *info.mutable_search_attributes()->mutable_indexed_fields();
  fields[std::string(visibility::kNamespaceDivision)] = Typed(absl::StrCat("\"", kNamespaceDivision, "\""), "Keyword");
  fields["TemporalSchedulePaused"] = Typed(record.schedule().state().paused() ? "true" : "false", "Bool");
  return visibility_.Upsert(row);
}

absl::StatusOr<wsv1::CreateScheduleResponse> ScheduleService::Create(const NamespaceRef& ns,
                                                                     const wsv1::CreateScheduleRequest& request) {
  ScheduleRecord record;
  record.set_namespace_name(ns.name);
  record.set_schedule_id(request.schedule_id());
  *record.mutable_schedule() = request.schedule();
  if (request.has_memo()) *record.mutable_memo() = request.memo();
  if (request.has_search_attributes()) *record.mutable_search_attributes() = request.search_attributes();
  record.set_request_id(request.request_id());
  record.set_run_id(random_.NewUuid());
  absl::StatusOr<Scheduler> scheduler = Scheduler::Open(record, JitterSeed(ns.id, request.schedule_id()), actions_);
  if (!scheduler.ok()) return scheduler.status();
  const absl::Time now = clock_.Now();
  scheduler->Initialize(now);
  if (request.has_initial_patch()) scheduler->Patch(request.initial_patch(), now);

  wsv1::CreateScheduleResponse response;
  {
    absl::MutexLock lock(&LockFor(ns.id, request.schedule_id()));
    persistence::StoredJob job;
    job.namespace_id = ns.id;
    job.kind = kKind;
    job.job_id = request.schedule_id();
    job.state = record.SerializeAsString();
    job.wake_at = now;  // its first run, below, writes its visibility row
    absl::Status created = jobs_.CreateJob(job);
    if (created.code() == absl::StatusCode::kAlreadyExists) {
      absl::StatusOr<ScheduleRecord> existing = Load(ns.id, request.schedule_id());
      if (existing.ok() && existing->request_id() == request.request_id()) {
        response.set_conflict_token(ConflictToken(existing->conflict_token()));
        return response;  // a retry of the create that made it
      }
      const std::string run_id = existing.ok() ? existing->run_id() : "";
      return errors::WithWorkflowAlreadyStarted(
          absl::AlreadyExistsError(absl::StrCat("Workflow execution is already running. WorkflowId: ",
                                                kVisibilityWorkflowIdPrefix, request.schedule_id(),
                                                ", RunId: ", run_id, ".")),
          existing.ok() ? existing->request_id() : "", run_id, run_id);
    }
    if (!created.ok()) return created;
  }
  if (absl::Status s = Mutate(ns.id, request.schedule_id(), nullptr); !s.ok()) {
    // Stored: the timer takes it from here.
    spdlog::warn("schedules: first run of {}: {}", request.schedule_id(), s.ToString());
    Arm(now);
  }
  response.set_conflict_token(ConflictToken(record.conflict_token()));
  return response;
}

absl::StatusOr<wsv1::DescribeScheduleResponse> ScheduleService::Describe(const NamespaceRef& ns,
                                                                         const std::string& schedule_id) {
  // As on Temporal, the running workflows are looked at again, so that a
  // closed one is not reported running: a change of the schedule, stored.
  // With none running, Describe only reads.
  absl::StatusOr<ScheduleRecord> loaded = Load(ns.id, schedule_id);
  if (!loaded.ok()) return loaded.status();
  ScheduleRecord record = *std::move(loaded);
  if (!record.info().running_workflows().empty()) {
    absl::Status s = Mutate(
        ns.id, schedule_id,
        [](Scheduler&, ScheduleRecord& r, absl::Time) {
          r.set_need_refresh(true);
          return absl::OkStatus();
        },
        &record);
    if (!s.ok()) return s;
  }
  absl::StatusOr<Scheduler> scheduler = Scheduler::Open(record, JitterSeed(ns.id, schedule_id), actions_);
  if (!scheduler.ok()) return scheduler.status();
  wsv1::DescribeScheduleResponse response;
  *response.mutable_schedule() = record.schedule();
  sched::ScheduleInfo& info = *response.mutable_info();
  info = record.info();
  for (absl::Time t : scheduler->FutureActionTimes(kFutureActions)) *info.add_future_action_times() = ToProto(t);
  info.set_buffer_size(record.buffered_starts_size());
  info.set_state_size_bytes(static_cast<int64_t>(record.ByteSizeLong()));
  CleanForUser(record.mutable_memo(), record.mutable_search_attributes());
  if (!record.memo().fields().empty()) *response.mutable_memo() = record.memo();
  if (!record.search_attributes().indexed_fields().empty()) {
    *response.mutable_search_attributes() = record.search_attributes();
  }
  response.set_conflict_token(ConflictToken(record.conflict_token()));
  return response;
}

absl::Status ScheduleService::Update(const NamespaceRef& ns, const wsv1::UpdateScheduleRequest& request) {
  return Mutate(ns.id, request.schedule_id(), [&](Scheduler& scheduler, ScheduleRecord& record, absl::Time now) {
    if (request.conflict_token().size() >= 8 &&
        ParseConflictToken(request.conflict_token()) != record.conflict_token()) {
      // As on Temporal: a stale update is dropped, not refused.
      spdlog::info("schedules: update of {} dropped: it conflicts with a concurrent change", request.schedule_id());
      return absl::OkStatus();
    }
    return scheduler.Update(request.schedule(), request.has_search_attributes() ? &request.search_attributes() : nullptr,
                            now);
  });
}

absl::Status ScheduleService::Patch(const NamespaceRef& ns, const std::string& schedule_id,
                                    const sched::SchedulePatch& patch) {
  return Mutate(ns.id, schedule_id, [&](Scheduler& scheduler, ScheduleRecord&, absl::Time now) {
    scheduler.Patch(patch, now);
    return absl::OkStatus();
  });
}

absl::StatusOr<wsv1::ListScheduleMatchingTimesResponse> ScheduleService::ListMatchingTimes(
    const NamespaceRef& ns, const wsv1::ListScheduleMatchingTimesRequest& request) {
  if (!request.has_start_time() || !request.has_end_time()) return errors::InvalidArgument("missing or invalid query");
  absl::StatusOr<ScheduleRecord> record = Load(ns.id, request.schedule_id());
  if (!record.ok()) return record.status();
  absl::StatusOr<Scheduler> scheduler = Scheduler::Open(*record, JitterSeed(ns.id, request.schedule_id()), actions_);
  if (!scheduler.ok()) return errors::InvalidArgument(absl::StrCat("invalid schedule: ", scheduler.status().message()));
  wsv1::ListScheduleMatchingTimesResponse response;
  for (absl::Time t : scheduler->MatchingTimes(FromProto(request.start_time()), FromProto(request.end_time()))) {
    *response.add_start_time() = ToProto(t);
  }
  return response;
}

absl::Status ScheduleService::Delete(const NamespaceRef& ns, const std::string& schedule_id) {
  absl::MutexLock lock(&LockFor(ns.id, schedule_id));
  absl::StatusOr<ScheduleRecord> record = Load(ns.id, schedule_id);
  if (!record.ok()) return record.status();
  absl::Status deleted = jobs_.DeleteJob(ns.id, kKind, schedule_id);
  if (deleted.code() == absl::StatusCode::kNotFound) return NotFound(schedule_id);
  if (!deleted.ok()) return deleted;
  return visibility_.Delete(ns.id, record->run_id());
}


absl::StatusOr<wsv1::ListSchedulesResponse> ScheduleService::List(const NamespaceRef& ns,
                                                                   const wsv1::ListSchedulesRequest& request) {
  const std::string text = ScheduleQuery(request.query());
  absl::StatusOr<visibility::Query> query = visibility::ParseQuery(text, *ns.search_attributes);
  if (!query.ok()) return query.status();
  if (!query->order_by.empty() || !query->group_by.empty()) {
    return errors::InvalidArgument("invalid query: ORDER BY and GROUP BY are not allowed for schedules");
  }
  const int page_size =
      request.maximum_page_size() <= 0 || request.maximum_page_size() > kMaxPageSize ? kMaxPageSize
                                                                                      : request.maximum_page_size();
  absl::StatusOr<persistence::VisibilityPage> page =
      visibility_.List(ns.id, *query, text, page_size, request.next_page_token());
  if (!page.ok()) return page.status();
  wsv1::ListSchedulesResponse response;
  for (auto& run : page->executions) {
    sched::ScheduleListEntry& entry = *response.add_schedules();
    entry.set_schedule_id(run.execution().workflow_id().substr(kVisibilityWorkflowIdPrefix.size()));
    auto info = run.memo().fields().find(std::string(kMemoInfoField));
    if (info != run.memo().fields().end()) entry.mutable_info()->ParseFromString(info->second.data());
    CleanForUser(run.mutable_memo(), run.mutable_search_attributes());
    if (!run.memo().fields().empty()) *entry.mutable_memo() = run.memo();
    if (!run.search_attributes().indexed_fields().empty()) *entry.mutable_search_attributes() = run.search_attributes();
  }
  response.set_next_page_token(page->next_page_token);
  return response;
}

absl::StatusOr<wsv1::CountSchedulesResponse> ScheduleService::Count(const NamespaceRef& ns, const std::string& user_query) {
  const std::string text = ScheduleQuery(user_query);
  absl::StatusOr<visibility::Query> query = visibility::ParseQuery(text, *ns.search_attributes);
  if (!query.ok()) return query.status();
  if (!query->order_by.empty()) return errors::InvalidArgument("invalid query: ORDER BY is not allowed in a count");
  absl::StatusOr<persistence::VisibilityCount> count = visibility_.Count(ns.id, *query);
  if (!count.ok()) return count.status();
  wsv1::CountSchedulesResponse response;
  response.set_count(count->count);
  return response;
}

}  // namespace zaman::worker::schedule

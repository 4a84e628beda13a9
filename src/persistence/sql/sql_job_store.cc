#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "persistence/page_token.h"
#include "persistence/sql/sql_stores.h"

namespace zaman::persistence::sql {
namespace {

constexpr char kColumns[] = "namespace_id, kind, job_id, version, state, wake_at_ms";

Value Wake(absl::Time wake_at) {
  if (wake_at == absl::InfiniteFuture()) return std::monostate{};
  return static_cast<int64_t>(absl::ToUnixMillis(wake_at));
}

StoredJob JobRow(const Result& r, size_t row) {
  StoredJob job;
  job.namespace_id = r.Bytes(row, 0);
  job.kind = r.Bytes(row, 1);
  job.job_id = r.Bytes(row, 2);
  job.version = r.Int(row, 3);
  job.state = r.Bytes(row, 4);
  job.wake_at = r.IsNull(row, 5) ? absl::InfiniteFuture() : absl::FromUnixMillis(r.Int(row, 5));
  return job;
}

absl::Status NotFound(absl::string_view kind, absl::string_view job_id) {
  return absl::NotFoundError(absl::StrCat(kind, " ", job_id, " not found"));
}

// A commit whose outcome is unknown surfaces to the job's owner as it would
// on the next try: an update as ConditionFailed (it reloads), a create as
// AlreadyExists.
class SqlJobStore final : public JobStore {
 public:
  explicit SqlJobStore(ConnectionPool& pool) : pool_(pool) {}

  absl::Status CreateJob(const StoredJob& job) override {
    return pool_.Transaction([&](Connection& c) {
      return c.Run(absl::StrCat("INSERT INTO jobs (", kColumns, ") VALUES (?, ?, ?, 1, ?, ?)"),
                   {job.namespace_id, job.kind, job.job_id, Bytes{job.state}, Wake(job.wake_at)})
          .status();
    });
  }

  absl::StatusOr<StoredJob> GetJob(absl::string_view namespace_id, absl::string_view kind,
                                   absl::string_view job_id) override {
    absl::StatusOr<Result> r =
        pool_.Query(absl::StrCat("SELECT ", kColumns, " FROM jobs WHERE namespace_id = ? AND kind = ? AND job_id = ?"),
                    {std::string(namespace_id), std::string(kind), std::string(job_id)});
    if (!r.ok()) return r.status();
    if (r->rows() == 0) return NotFound(kind, job_id);
    return JobRow(*r, 0);
  }

  absl::Status UpdateJob(const StoredJob& job, int64_t expected_version) override {
    return pool_.Transaction([&](Connection& c) -> absl::Status {
      absl::StatusOr<Result> updated =
          c.Run("UPDATE jobs SET state = ?, wake_at_ms = ?, version = version + 1 "
                "WHERE namespace_id = ? AND kind = ? AND job_id = ? AND version = ?",
                {Bytes{job.state}, Wake(job.wake_at), job.namespace_id, job.kind, job.job_id, expected_version});
      if (!updated.ok()) return updated.status();
      if (updated->affected_rows == 1) return absl::OkStatus();
      absl::StatusOr<Result> probe = c.Run("SELECT 1 FROM jobs WHERE namespace_id = ? AND kind = ? AND job_id = ?",
                                           {job.namespace_id, job.kind, job.job_id});
      if (!probe.ok()) return probe.status();
      if (probe->rows() == 0) return NotFound(job.kind, job.job_id);
      return errors::ConditionFailed(absl::StrCat(job.kind, " ", job.job_id, " was changed concurrently"));
    });
  }

  absl::Status DeleteJob(absl::string_view namespace_id, absl::string_view kind, absl::string_view job_id) override {
    return pool_.Transaction([&](Connection& c) -> absl::Status {
      absl::StatusOr<Result> deleted = c.Run("DELETE FROM jobs WHERE namespace_id = ? AND kind = ? AND job_id = ?",
                                             {std::string(namespace_id), std::string(kind), std::string(job_id)});
      if (!deleted.ok()) return deleted.status();
      if (deleted->affected_rows == 0) return NotFound(kind, job_id);
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::vector<StoredJob>> DueJobs(absl::string_view kind, absl::Time until, int limit) override {
    absl::StatusOr<Result> r = pool_.Query(
        absl::StrCat("SELECT ", kColumns,
                     " FROM jobs WHERE kind = ? AND wake_at_ms IS NOT NULL AND wake_at_ms <= ?"
                     " ORDER BY wake_at_ms LIMIT ?"),
        {std::string(kind), static_cast<int64_t>(absl::ToUnixMillis(until)), int64_t{limit}});
    if (!r.ok()) return r.status();
    std::vector<StoredJob> jobs;
    for (size_t i = 0; i < r->rows(); ++i) jobs.push_back(JobRow(*r, i));
    return jobs;
  }

  absl::StatusOr<JobPage> ListJobs(absl::string_view namespace_id, absl::string_view kind, int page_size,
                                   absl::string_view page_token) override {
    absl::StatusOr<std::string> after = DecodeJobPageToken(page_token);
    if (!after.ok()) return after.status();
    // One row more than asked tells whether another page follows.
    absl::StatusOr<Result> r = pool_.Query(
        absl::StrCat("SELECT ", kColumns,
                     " FROM jobs WHERE namespace_id = ? AND kind = ? AND job_id > ? ORDER BY job_id LIMIT ?"),
        {std::string(namespace_id), std::string(kind), *after, int64_t{page_size} + 1});
    if (!r.ok()) return r.status();
    JobPage page;
    for (size_t i = 0; i < r->rows() && static_cast<int>(i) < page_size; ++i) page.jobs.push_back(JobRow(*r, i));
    if (static_cast<int>(r->rows()) > page_size && !page.jobs.empty()) {
      page.next_page_token = EncodeJobPageToken(page.jobs.back().job_id);
    }
    return page;
  }

 private:
  ConnectionPool& pool_;
};

}  // namespace

std::unique_ptr<JobStore> NewJobStore(ConnectionPool& pool) { return std::make_unique<SqlJobStore>(pool); }

}  // namespace zaman::persistence::sql

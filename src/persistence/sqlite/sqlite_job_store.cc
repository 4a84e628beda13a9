#include "persistence/sqlite/sqlite_job_store.h"

#include <string>
#include <vector>

#include <SQLiteCpp/SQLiteCpp.h>

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "persistence/page_token.h"

namespace zaman::persistence::sqlite {
namespace {

constexpr char kColumns[] = "namespace_id, kind, job_id, version, state, wake_at_ms";

void BindWake(SQLite::Statement& s, int index, absl::Time wake_at) {
  if (wake_at == absl::InfiniteFuture()) {
    s.bind(index);  // NULL
  } else {
    s.bind(index, static_cast<int64_t>(absl::ToUnixMillis(wake_at)));
  }
}

StoredJob ReadJob(SQLite::Statement& q) {
  StoredJob job;
  job.namespace_id = q.getColumn(0).getString();
  job.kind = q.getColumn(1).getString();
  job.job_id = q.getColumn(2).getString();
  job.version = q.getColumn(3).getInt64();
  SQLite::Column state = q.getColumn(4);
  job.state.assign(static_cast<const char*>(state.getBlob()), static_cast<size_t>(state.getBytes()));
  job.wake_at = q.getColumn(5).isNull() ? absl::InfiniteFuture() : absl::FromUnixMillis(q.getColumn(5).getInt64());
  return job;
}

class SqliteJobStore final : public JobStore {
 public:
  explicit SqliteJobStore(Database& db) : db_(db) {}

  absl::Status CreateJob(const StoredJob& job) override {
    return db_.Run("create job", [&](SQLite::Database&) -> absl::Status {
      PreparedStatement insert = db_.Prepare(absl::StrCat("INSERT INTO jobs (", kColumns, ") VALUES (?, ?, ?, 1, ?, ?)"));
      (*insert).bind(1, job.namespace_id);
      (*insert).bind(2, job.kind);
      (*insert).bind(3, job.job_id);
      (*insert).bind(4, job.state.data(), static_cast<int>(job.state.size()));
      BindWake(*insert, 5, job.wake_at);
      (*insert).exec();
      return absl::OkStatus();
    });
  }

  absl::StatusOr<StoredJob> GetJob(absl::string_view namespace_id, absl::string_view kind,
                                   absl::string_view job_id) override {
    StoredJob job;
    absl::Status status = db_.Run("get job", [&](SQLite::Database&) -> absl::Status {
      PreparedStatement q = db_.Prepare(
          absl::StrCat("SELECT ", kColumns, " FROM jobs WHERE namespace_id = ? AND kind = ? AND job_id = ?"));
      BindKey(*q, namespace_id, kind, job_id);
      if (!(*q).executeStep()) return absl::NotFoundError(absl::StrCat(kind, " ", job_id, " not found"));
      job = ReadJob(*q);
      return absl::OkStatus();
    });
    if (!status.ok()) return status;
    return job;
  }

  absl::Status UpdateJob(const StoredJob& job, int64_t expected_version) override {
    return db_.Run("update job", [&](SQLite::Database&) -> absl::Status {
      PreparedStatement update = db_.Prepare(
          "UPDATE jobs SET state = ?, wake_at_ms = ?, version = version + 1 "
          "WHERE namespace_id = ? AND kind = ? AND job_id = ? AND version = ?");
      (*update).bind(1, job.state.data(), static_cast<int>(job.state.size()));
      BindWake(*update, 2, job.wake_at);
      (*update).bind(3, job.namespace_id);
      (*update).bind(4, job.kind);
      (*update).bind(5, job.job_id);
      (*update).bind(6, static_cast<int64_t>(expected_version));
      if ((*update).exec() == 1) return absl::OkStatus();
      PreparedStatement probe = db_.Prepare("SELECT 1 FROM jobs WHERE namespace_id = ? AND kind = ? AND job_id = ?");
      BindKey(*probe, job.namespace_id, job.kind, job.job_id);
      if (!(*probe).executeStep()) return absl::NotFoundError(absl::StrCat(job.kind, " ", job.job_id, " not found"));
      return errors::ConditionFailed(absl::StrCat(job.kind, " ", job.job_id, " was changed concurrently"));
    });
  }

  absl::Status DeleteJob(absl::string_view namespace_id, absl::string_view kind, absl::string_view job_id) override {
    return db_.Run("delete job", [&](SQLite::Database&) -> absl::Status {
      PreparedStatement del = db_.Prepare("DELETE FROM jobs WHERE namespace_id = ? AND kind = ? AND job_id = ?");
      BindKey(*del, namespace_id, kind, job_id);
      if ((*del).exec() == 0) return absl::NotFoundError(absl::StrCat(kind, " ", job_id, " not found"));
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::vector<StoredJob>> DueJobs(absl::string_view kind, absl::Time until, int limit) override {
    std::vector<StoredJob> jobs;
    absl::Status status = db_.Run("read due jobs", [&](SQLite::Database&) -> absl::Status {
      PreparedStatement q = db_.Prepare(absl::StrCat(
          "SELECT ", kColumns,
          " FROM jobs WHERE kind = ? AND wake_at_ms IS NOT NULL AND wake_at_ms <= ? ORDER BY wake_at_ms LIMIT ?"));
      (*q).bind(1, std::string(kind));
      (*q).bind(2, static_cast<int64_t>(absl::ToUnixMillis(until)));
      (*q).bind(3, limit);
      while ((*q).executeStep()) jobs.push_back(ReadJob(*q));
      return absl::OkStatus();
    });
    if (!status.ok()) return status;
    return jobs;
  }

  absl::StatusOr<JobPage> ListJobs(absl::string_view namespace_id, absl::string_view kind, int page_size,
                                   absl::string_view page_token) override {
    absl::StatusOr<std::string> after = DecodeJobPageToken(page_token);
    if (!after.ok()) return after.status();
    JobPage page;
    absl::Status status = db_.Run("list jobs", [&](SQLite::Database&) -> absl::Status {
      // One row more than asked tells whether another page follows.
      PreparedStatement q = db_.Prepare(absl::StrCat(
          "SELECT ", kColumns, " FROM jobs WHERE namespace_id = ? AND kind = ? AND job_id > ? ORDER BY job_id LIMIT ?"));
      (*q).bind(1, std::string(namespace_id));
      (*q).bind(2, std::string(kind));
      (*q).bind(3, *after);
      (*q).bind(4, page_size + 1);
      while ((*q).executeStep()) {
        if (static_cast<int>(page.jobs.size()) == page_size) {
          page.next_page_token = EncodeJobPageToken(page.jobs.back().job_id);
          break;
        }
        page.jobs.push_back(ReadJob(*q));
      }
      return absl::OkStatus();
    });
    if (!status.ok()) return status;
    return page;
  }

 private:
  static void BindKey(SQLite::Statement& s, absl::string_view namespace_id, absl::string_view kind,
                      absl::string_view job_id) {
    s.bind(1, std::string(namespace_id));
    s.bind(2, std::string(kind));
    s.bind(3, std::string(job_id));
  }

  Database& db_;
};

}  // namespace

std::unique_ptr<JobStore> NewJobStore(Database& db) { return std::make_unique<SqliteJobStore>(db); }

}  // namespace zaman::persistence::sqlite

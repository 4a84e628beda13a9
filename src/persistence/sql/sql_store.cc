#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "persistence/sql/sql_stores.h"

namespace zaman::persistence::sql {
namespace {

class SqlStore final : public Store {
 public:
  SqlStore(Dialect dialect, std::unique_ptr<ConnectionPool> pool)
      : dialect_(dialect),
        pool_(std::move(pool)),
        namespaces_(NewNamespaceStore(*pool_)),
        cluster_(NewClusterStore(*pool_, dialect)),
        executions_(NewExecutionStore(*pool_, dialect)),
        visibility_(NewVisibilityStore(*pool_, dialect)),
        jobs_(NewJobStore(*pool_)),
        membership_(NewMembershipStore(*pool_)),
        task_queues_(NewTaskQueueStore(*pool_, dialect)) {}

  absl::string_view backend_name() const override { return DialectName(dialect_); }
  NamespaceStore& namespaces() override { return *namespaces_; }
  ClusterStore& cluster() override { return *cluster_; }
  ExecutionStore& executions() override { return *executions_; }
  VisibilityStore& visibility() override { return *visibility_; }
  JobStore& jobs() override { return *jobs_; }
  MembershipStore& membership() override { return *membership_; }
  TaskQueueStore& task_queues() override { return *task_queues_; }

 private:
  Dialect dialect_;
  std::unique_ptr<ConnectionPool> pool_;
  std::unique_ptr<NamespaceStore> namespaces_;
  std::unique_ptr<ClusterStore> cluster_;
  std::unique_ptr<ExecutionStore> executions_;
  std::unique_ptr<VisibilityStore> visibility_;
  std::unique_ptr<JobStore> jobs_;
  std::unique_ptr<MembershipStore> membership_;
  std::unique_ptr<TaskQueueStore> task_queues_;
};

std::unique_ptr<ConnectionPool> NewPool(const Driver& driver, const Connector& connector, int max_connections) {
  PoolOptions options;
  options.max_connections = max_connections;
  options.begin = BeginTransaction(driver.dialect);
  return std::make_unique<ConnectionPool>(connector, options);
}

// The applied schema version: 0 on a database without Zaman's tables.
absl::StatusOr<int> AppliedVersion(Connection& c, Dialect dialect) {
  absl::StatusOr<Result> exists =
      c.Run(dialect == Dialect::kPostgres
                ? "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema()"
                  " AND table_name = 'schema_version'"
                : "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE()"
                  " AND table_name = 'schema_version'",
            {});
  if (!exists.ok()) return exists.status();
  if (exists->Int(0, 0) == 0) return 0;
  absl::StatusOr<Result> version = c.Run("SELECT MAX(version) FROM schema_version", {});
  if (!version.ok()) return version.status();
  return version->IsNull(0, 0) ? 0 : static_cast<int>(version->Int(0, 0));
}

// Applies every version after the current one, each in a transaction of
// its own where the dialect allows (PostgreSQL DDL is transactional; MySQL
// commits each DDL statement by itself).
absl::Status ApplyVersions(const Driver& driver) {
  std::unique_ptr<ConnectionPool> pool = NewPool(driver, driver.connect, 1);
  const auto& versions = *driver.schema;
  return pool->Read([&](Connection& c) -> absl::Status {
    absl::StatusOr<int> current = AppliedVersion(c, driver.dialect);
    if (!current.ok()) return current.status();
    if (*current > static_cast<int>(versions.size())) {
      return absl::FailedPreconditionError(absl::StrCat("the database's schema is version ", *current,
                                                        "; this zaman knows versions up to ", versions.size()));
    }
    for (int v = *current; v < static_cast<int>(versions.size()); ++v) {
      absl::string_view body = absl::StripTrailingAsciiWhitespace(versions[v]);
      if (absl::EndsWith(body, ";")) body.remove_suffix(1);
      std::string script = absl::StrCat(BeginTransaction(driver.dialect), ";\n", body, ";\n",
                                        v == 0 ? "" : "DELETE FROM schema_version;\n",
                                        "INSERT INTO schema_version (version) VALUES (", v + 1, ");\nCOMMIT;");
      if (absl::Status s = c.RunScript(script); !s.ok()) {
        return absl::Status(s.code(), absl::StrCat("applying schema version ", v + 1, ": ", s.message()));
      }
    }
    return absl::OkStatus();
  });
}

}  // namespace

absl::StatusOr<std::pair<int, int>> SchemaVersion(const Driver& driver) {
  std::unique_ptr<ConnectionPool> pool = NewPool(driver, driver.connect, 1);
  int applied = 0;
  absl::Status status = pool->Read([&](Connection& c) -> absl::Status {
    absl::StatusOr<int> v = AppliedVersion(c, driver.dialect);
    if (!v.ok()) return v.status();
    applied = *v;
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return std::make_pair(applied, static_cast<int>(driver.schema->size()));
}

absl::Status SetupSchema(const Driver& driver) {
  std::unique_ptr<ConnectionPool> server = NewPool(driver, driver.connect_without_database, 1);
  absl::Status created = server->Read(driver.create_database);
  if (!created.ok()) return created;
  return ApplyVersions(driver);
}

absl::Status MigrateSchema(const Driver& driver) {
  absl::StatusOr<std::pair<int, int>> version = SchemaVersion(driver);
  if (!version.ok()) return version.status();
  if (version->first == 0) {
    return absl::FailedPreconditionError("the database has no Zaman schema yet; run `zaman db setup` first");
  }
  return ApplyVersions(driver);
}

absl::StatusOr<std::unique_ptr<Store>> OpenStore(const Driver& driver, int max_connections) {
  absl::StatusOr<std::pair<int, int>> version = SchemaVersion(driver);
  if (!version.ok()) return version.status();
  const auto [applied, known] = *version;
  if (applied == 0) {
    return absl::FailedPreconditionError(
        "the database has no Zaman schema; run `zaman db setup --config FILE` first");
  }
  if (applied < known) {
    return absl::FailedPreconditionError(absl::StrCat("the database's schema is version ", applied, "; this zaman needs ",
                                                      known, ": run `zaman db migrate --config FILE`"));
  }
  if (applied > known) {
    return absl::FailedPreconditionError(absl::StrCat("the database's schema is version ", applied,
                                                      "; this zaman knows versions up to ", known));
  }
  return std::make_unique<SqlStore>(driver.dialect, NewPool(driver, driver.connect, max_connections));
}

}  // namespace zaman::persistence::sql

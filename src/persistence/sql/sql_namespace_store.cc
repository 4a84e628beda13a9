#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "persistence/page_token.h"
#include "persistence/sql/sql_stores.h"

namespace zaman::persistence::sql {
namespace {

absl::StatusOr<StoredNamespace> NamespaceRow(const Result& r, size_t row) {
  StoredNamespace stored;
  stored.version = r.Int(row, 0);
  if (!stored.record.ParseFromString(r.Bytes(row, 1))) {
    return errors::Internal("a stored namespace record does not parse");
  }
  return stored;
}

class SqlNamespaceStore final : public NamespaceStore {
 public:
  explicit SqlNamespaceStore(ConnectionPool& pool) : pool_(pool) {}

  absl::Status CreateNamespace(const NamespaceRecord& record) override {
    return pool_.Transaction([&](Connection& c) {
      return c.Run("INSERT INTO namespaces (id, name, version, record) VALUES (?, ?, 1, ?)",
                   {record.info().id(), record.info().name(), Bytes{record.SerializeAsString()}})
          .status();
    });
  }

  absl::StatusOr<StoredNamespace> GetNamespaceByName(absl::string_view name) override {
    return GetBy("name", name);
  }

  absl::StatusOr<StoredNamespace> GetNamespaceById(absl::string_view id) override { return GetBy("id", id); }

  absl::Status UpdateNamespace(const NamespaceRecord& record, int64_t expected_version) override {
    return pool_.Transaction([&](Connection& c) -> absl::Status {
      absl::StatusOr<Result> updated =
          c.Run("UPDATE namespaces SET record = ?, version = version + 1 WHERE id = ? AND name = ? AND version = ?",
                {Bytes{record.SerializeAsString()}, record.info().id(), record.info().name(), expected_version});
      if (!updated.ok()) return updated.status();
      if (updated->affected_rows == 1) return absl::OkStatus();
      absl::StatusOr<Result> probe = c.Run("SELECT name FROM namespaces WHERE id = ?", {record.info().id()});
      if (!probe.ok()) return probe.status();
      if (probe->rows() == 0) return absl::NotFoundError(absl::StrCat("namespace id ", record.info().id()));
      if (probe->Bytes(0, 0) != record.info().name()) return errors::InvalidArgument("a namespace cannot be renamed");
      return errors::ConditionFailed("namespace was changed concurrently");
    });
  }

  absl::StatusOr<NamespacePage> ListNamespaces(int page_size, absl::string_view page_token) override {
    std::string after;
    if (!page_token.empty()) {
      absl::StatusOr<std::string> decoded = DecodeNamespacePageToken(page_token);
      if (!decoded.ok()) return decoded.status();
      after = *decoded;
    }
    // One row more than asked tells whether another page follows.
    absl::StatusOr<Result> r =
        pool_.Query("SELECT version, record FROM namespaces WHERE name > ? ORDER BY name LIMIT ?",
                 {after, int64_t{page_size} + 1});
    if (!r.ok()) return r.status();
    NamespacePage page;
    for (size_t i = 0; i < r->rows() && static_cast<int>(i) < page_size; ++i) {
      absl::StatusOr<StoredNamespace> row = NamespaceRow(*r, i);
      if (!row.ok()) return row.status();
      page.namespaces.push_back(*std::move(row));
    }
    if (static_cast<int>(r->rows()) > page_size && !page.namespaces.empty()) {
      page.next_page_token = EncodeNamespacePageToken(page.namespaces.back().record.info().name());
    }
    return page;
  }

 private:
  absl::StatusOr<StoredNamespace> GetBy(absl::string_view column, absl::string_view key) {
    absl::StatusOr<Result> r =
        pool_.Query(absl::StrCat("SELECT version, record FROM namespaces WHERE ", column, " = ?"),
                 {std::string(key)});
    if (!r.ok()) return r.status();
    if (r->rows() == 0) return absl::NotFoundError(absl::StrCat("namespace ", column, " ", key));
    return NamespaceRow(*r, 0);
  }

  ConnectionPool& pool_;
};

class SqlClusterStore final : public ClusterStore {
 public:
  SqlClusterStore(ConnectionPool& pool, Dialect dialect) : pool_(pool), dialect_(dialect) {}

  absl::StatusOr<ClusterMetadata> InitClusterMetadata(const ClusterMetadata& initial) override {
    ClusterMetadata stored;
    absl::Status status = pool_.Transaction([&](Connection& c) -> absl::Status {
      absl::StatusOr<Result> r = c.Run(
          InsertIgnore(dialect_,
                       "cluster_metadata (id, cluster_name, cluster_id, num_shards, created_at_ms)"
                       " VALUES (1, ?, ?, ?, ?)"),
          {initial.cluster_name, initial.cluster_id, int64_t{initial.num_shards},
           static_cast<int64_t>(absl::ToUnixMillis(initial.created_at))});
      if (r.ok()) r = c.Run("SELECT cluster_name, cluster_id, num_shards, created_at_ms FROM cluster_metadata", {});
      if (!r.ok()) return r.status();
      if (r->rows() != 1) return errors::Internal("cluster metadata row is missing");
      stored.cluster_name = r->Bytes(0, 0);
      stored.cluster_id = r->Bytes(0, 1);
      stored.num_shards = static_cast<int32_t>(r->Int(0, 2));
      stored.created_at = absl::FromUnixMillis(r->Int(0, 3));
      return absl::OkStatus();
    });
    if (!status.ok()) return status;
    return stored;
  }

 private:
  ConnectionPool& pool_;
  const Dialect dialect_;
};

}  // namespace

std::unique_ptr<NamespaceStore> NewNamespaceStore(ConnectionPool& pool) {
  return std::make_unique<SqlNamespaceStore>(pool);
}

std::unique_ptr<ClusterStore> NewClusterStore(ConnectionPool& pool, Dialect dialect) {
  return std::make_unique<SqlClusterStore>(pool, dialect);
}

}  // namespace zaman::persistence::sql

// The NamespaceStore / ClusterStore contract, run against every backend.
#include <filesystem>
#include <functional>
#include <memory>

#include <gtest/gtest.h>

#include "common/errors.h"
#include "persistence/testing/fresh_store_test.h"

namespace zaman::persistence {
namespace {

using testing::TestBackend;

class StoreContractTest : public testing::FreshStoreTest {
 protected:
  static NamespaceRecord Record(const std::string& name, const std::string& id) {
    NamespaceRecord record;
    record.mutable_info()->set_name(name);
    record.mutable_info()->set_id(id);
    record.mutable_info()->set_description("about " + name);
    return record;
  }
};

TEST_P(StoreContractTest, CreatedNamespaceReadsBackByNameAndId) {
  ASSERT_TRUE(store_->namespaces().CreateNamespace(Record("orders", "id-1")).ok());
  auto by_name = store_->namespaces().GetNamespaceByName("orders");
  ASSERT_TRUE(by_name.ok()) << by_name.status();
  EXPECT_EQ(by_name->record.info().id(), "id-1");
  EXPECT_EQ(by_name->record.info().description(), "about orders");
  auto by_id = store_->namespaces().GetNamespaceById("id-1");
  ASSERT_TRUE(by_id.ok()) << by_id.status();
  EXPECT_EQ(by_id->record.info().name(), "orders");
}

TEST_P(StoreContractTest, UnknownNamespaceIsNotFound) {
  EXPECT_EQ(store_->namespaces().GetNamespaceByName("nope").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->namespaces().GetNamespaceById("nope").status().code(), absl::StatusCode::kNotFound);
}

TEST_P(StoreContractTest, DuplicateNameOrIdIsRejected) {
  ASSERT_TRUE(store_->namespaces().CreateNamespace(Record("orders", "id-1")).ok());
  EXPECT_EQ(store_->namespaces().CreateNamespace(Record("orders", "id-2")).code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(store_->namespaces().CreateNamespace(Record("billing", "id-1")).code(),
            absl::StatusCode::kAlreadyExists);
  // The failed attempts left nothing behind.
  EXPECT_EQ(store_->namespaces().GetNamespaceByName("billing").status().code(),
            absl::StatusCode::kNotFound);
}

TEST_P(StoreContractTest, UpdateIsConditionalOnVersion) {
  ASSERT_TRUE(store_->namespaces().CreateNamespace(Record("orders", "id-1")).ok());
  auto stored = store_->namespaces().GetNamespaceByName("orders");
  ASSERT_TRUE(stored.ok());
  NamespaceRecord changed = stored->record;
  changed.mutable_info()->set_description("changed");
  ASSERT_TRUE(store_->namespaces().UpdateNamespace(changed, stored->version).ok());

  // A second writer that read the old version loses.
  NamespaceRecord stale = stored->record;
  stale.mutable_info()->set_description("stale");
  absl::Status lost = store_->namespaces().UpdateNamespace(stale, stored->version);
  EXPECT_TRUE(errors::IsConditionFailed(lost)) << lost;

  auto after = store_->namespaces().GetNamespaceByName("orders");
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->record.info().description(), "changed");
  EXPECT_EQ(after->version, stored->version + 1);
}

TEST_P(StoreContractTest, UpdateOfUnknownNamespaceIsNotFound) {
  EXPECT_EQ(store_->namespaces().UpdateNamespace(Record("ghost", "id-9"), 1).code(),
            absl::StatusCode::kNotFound);
}

TEST_P(StoreContractTest, ListPagesInNameOrderWhileRowsChange) {
  for (const char* name : {"d", "b", "a", "c", "e"}) {
    ASSERT_TRUE(store_->namespaces().CreateNamespace(Record(name, std::string("id-") + name)).ok());
  }
  auto first = store_->namespaces().ListNamespaces(2, "");
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_EQ(first->namespaces.size(), 2u);
  EXPECT_EQ(first->namespaces[0].record.info().name(), "a");
  EXPECT_EQ(first->namespaces[1].record.info().name(), "b");
  ASSERT_FALSE(first->next_page_token.empty());

  // A row added before the cursor does not shift the next page.
  ASSERT_TRUE(store_->namespaces().CreateNamespace(Record("aa", "id-aa")).ok());

  auto second = store_->namespaces().ListNamespaces(2, first->next_page_token);
  ASSERT_TRUE(second.ok()) << second.status();
  ASSERT_EQ(second->namespaces.size(), 2u);
  EXPECT_EQ(second->namespaces[0].record.info().name(), "c");
  EXPECT_EQ(second->namespaces[1].record.info().name(), "d");

  auto last = store_->namespaces().ListNamespaces(2, second->next_page_token);
  ASSERT_TRUE(last.ok());
  ASSERT_EQ(last->namespaces.size(), 1u);
  EXPECT_EQ(last->namespaces[0].record.info().name(), "e");
  EXPECT_TRUE(last->next_page_token.empty());
}

TEST_P(StoreContractTest, ListWithExactPageSizeHasNoNextToken) {
  ASSERT_TRUE(store_->namespaces().CreateNamespace(Record("a", "1")).ok());
  ASSERT_TRUE(store_->namespaces().CreateNamespace(Record("b", "2")).ok());
  auto page = store_->namespaces().ListNamespaces(2, "");
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->namespaces.size(), 2u);
  EXPECT_TRUE(page->next_page_token.empty());
}

TEST_P(StoreContractTest, ForeignPageTokenIsInvalidArgument) {
  EXPECT_EQ(store_->namespaces().ListNamespaces(10, "garbage").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(StoreContractTest, ClusterMetadataIsFixedAtCreation) {
  ClusterMetadata initial{"active", "cid-1", 4, absl::FromUnixSeconds(1000)};
  auto first = store_->cluster().InitClusterMetadata(initial);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->num_shards, 4);
  ClusterMetadata other{"other", "cid-2", 512, absl::FromUnixSeconds(2000)};
  auto second = store_->cluster().InitClusterMetadata(other);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->cluster_id, "cid-1");
  EXPECT_EQ(second->num_shards, 4);
  EXPECT_EQ(second->created_at, absl::FromUnixSeconds(1000));
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreContractTest, ::testing::ValuesIn(testing::TestBackends()),
                         testing::BackendName);

}  // namespace
}  // namespace zaman::persistence

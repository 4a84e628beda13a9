#pragma once

// For tests only: a gtest fixture that gives every test, on every backend,
// a store of its own (see OpenFreshStore).

#include <filesystem>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "persistence/testing/test_backends.h"

namespace zaman::persistence::testing {

class FreshStoreTest : public ::testing::TestWithParam<TestBackend> {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("zaman-store-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    absl::StatusOr<std::unique_ptr<Store>> store = OpenFreshStore(GetParam(), dir_.string());
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::filesystem::path dir_;
  std::unique_ptr<Store> store_;
};

// The gtest parameter name of a backend.
inline std::string BackendName(const ::testing::TestParamInfo<TestBackend>& info) { return info.param.name; }

}  // namespace zaman::persistence::testing

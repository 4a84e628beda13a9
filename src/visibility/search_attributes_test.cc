#include "visibility/search_attributes.h"

#include <gtest/gtest.h>

namespace zaman::visibility {
namespace {

namespace enums = ::temporal::api::enums::v1;

TEST(SearchAttributesTest, DecodesEachTypeFromJson) {
  auto one = [](absl::string_view json, IndexedValueType type) {
    absl::StatusOr<std::vector<IndexValue>> v = DecodeValues(JsonPayload(json), type);
    EXPECT_TRUE(v.ok()) << json << ": " << v.status();
    return v.ok() ? *v : std::vector<IndexValue>{};
  };
  EXPECT_EQ(std::get<std::string>(one("\"abc\"", enums::INDEXED_VALUE_TYPE_KEYWORD)[0]), "abc");
  EXPECT_EQ(std::get<int64_t>(one("9007199254740993", enums::INDEXED_VALUE_TYPE_INT)[0]), 9007199254740993);
  EXPECT_DOUBLE_EQ(std::get<double>(one("2.5", enums::INDEXED_VALUE_TYPE_DOUBLE)[0]), 2.5);
  EXPECT_EQ(std::get<int64_t>(one("true", enums::INDEXED_VALUE_TYPE_BOOL)[0]), 1);
  EXPECT_EQ(std::get<int64_t>(one("\"1970-01-01T00:00:01Z\"", enums::INDEXED_VALUE_TYPE_DATETIME)[0]), 1000000000);
  EXPECT_EQ(one("[\"a\",\"b\"]", enums::INDEXED_VALUE_TYPE_KEYWORD_LIST).size(), 2u);
  EXPECT_TRUE(one("null", enums::INDEXED_VALUE_TYPE_KEYWORD).empty());
  EXPECT_FALSE(DecodeValues(JsonPayload("\"x\""), enums::INDEXED_VALUE_TYPE_INT).ok());
  EXPECT_FALSE(DecodeValues(JsonPayload("{nope"), enums::INDEXED_VALUE_TYPE_KEYWORD).ok());
}

TEST(SearchAttributesTest, ValidateAndStampChecksDefinitions) {
  temporal::api::common::v1::SearchAttributes attributes;
  (*attributes.mutable_indexed_fields())["CustomerId"] = JsonPayload("\"c-1\"");
  SearchAttributeTypes custom = {{"CustomerId", enums::INDEXED_VALUE_TYPE_KEYWORD}};
  ASSERT_TRUE(ValidateAndStamp(attributes, custom).ok());
  EXPECT_EQ(attributes.indexed_fields().at("CustomerId").metadata().at("type"), "Keyword");

  (*attributes.mutable_indexed_fields())["Unknown"] = JsonPayload("1");
  absl::Status unknown = ValidateAndStamp(attributes, custom);
  EXPECT_EQ(unknown.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(unknown.message().find("Unknown"), absl::string_view::npos);

  temporal::api::common::v1::SearchAttributes wrong;
  (*wrong.mutable_indexed_fields())["CustomerId"] = JsonPayload("17");
  EXPECT_EQ(ValidateAndStamp(wrong, custom).code(), absl::StatusCode::kInvalidArgument);
}

TEST(SearchAttributesTest, CustomNamesMayNotShadowSystemOnes) {
  EXPECT_FALSE(ValidateCustomName("WorkflowId").ok());
  EXPECT_FALSE(ValidateCustomName("TemporalChangeVersion").ok());
  EXPECT_FALSE(ValidateCustomName("has space").ok());
  EXPECT_TRUE(ValidateCustomName("CustomerId").ok());
  EXPECT_EQ(TypeFromName("keywordlist"), enums::INDEXED_VALUE_TYPE_KEYWORD_LIST);
}

}  // namespace
}  // namespace zaman::visibility

// UTF-8 validation, repair and boundary-respecting cuts, checked against hand-made sequences of
// every class RFC 3629 rules out and against nlohmann::json's own UTF-8 check.
#include "common/utf8.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace pelnas {
namespace {

bool json_accepts(const std::string& s) {
  try {
    (void)nlohmann::json(s).dump();
    return true;
  } catch (const nlohmann::json::type_error&) {
    return false;
  }
}

TEST(Utf8, ValidAndInvalidSequences) {
  for (const std::string ok : {"", "plain", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xef\xbf\xbd", "\xf4\x8f\xbf\xbf"}) {
    EXPECT_TRUE(is_valid_utf8(ok)) << ok;
    EXPECT_TRUE(json_accepts(ok));
  }
  for (const std::string bad : {"\x80", "\xc0\x80", "\xc3", "\xe2\x82", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xf5\x80\x80\x80",
                                "\xff", "a\xc3(", "\xe0\x80\xaf"}) {
    EXPECT_FALSE(is_valid_utf8(bad)) << testing::PrintToString(bad);
    EXPECT_FALSE(json_accepts(bad)) << testing::PrintToString(bad);  // the crash this guards against
    const std::string fixed = to_valid_utf8(bad);
    EXPECT_TRUE(is_valid_utf8(fixed));
    EXPECT_TRUE(json_accepts(fixed));
    EXPECT_NE(fixed.find("\xef\xbf\xbd"), std::string::npos);
  }
  EXPECT_EQ(to_valid_utf8("a\xff" "b"), "a\xef\xbf\xbd" "b");
  EXPECT_EQ(to_valid_utf8("caf\xc3\xa9"), "caf\xc3\xa9");
}

TEST(Utf8, PrefixNeverSplitsACharacter) {
  const std::string s = "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80z";  // 1 + 2 + 3 + 4 + 1 bytes
  const std::size_t expected[] = {0, 1, 1, 3, 3, 3, 6, 6, 6, 6, 10, 11, 11};
  for (std::size_t max = 0; max <= s.size() + 1; ++max) {
    const auto p = utf8_prefix(s, max);
    EXPECT_EQ(p.size(), expected[max]) << max;
    EXPECT_TRUE(is_valid_utf8(p)) << max;
  }
}

}  // namespace
}  // namespace pelnas

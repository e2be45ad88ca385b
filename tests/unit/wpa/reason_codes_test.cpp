// The wpa.* reason codes are stable and documented: unique, prefixed, each in docs/dot1x.md.
#include "wpa/reason_codes.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "support/files.hpp"

namespace lintel::wpa {
namespace {

TEST(ReasonCodes, UniqueAndPrefixed) {
    std::set<std::string_view> seen;
    for (auto code : reason::all) {
        EXPECT_TRUE(code.starts_with("wpa.")) << code;
        EXPECT_TRUE(seen.insert(code).second) << code;
    }
    EXPECT_EQ(seen.size(), 13u);
}

TEST(ReasonCodes, EveryCodeIsInTheDocumentation) {
    auto doc = lintel::test::read_file(std::string(LINTEL_SOURCE_DIR) + "/docs/dot1x.md");
    ASSERT_TRUE(doc) << doc.error().message;
    for (auto code : reason::all) {
        EXPECT_NE(doc->find("`" + std::string(code) + "`"), std::string::npos)
            << code << " is not documented in docs/dot1x.md";
    }
}

}  // namespace
}  // namespace lintel::wpa

// The OTA reason codes are stable and documented: unique, "ota."-prefixed, each in docs/ota.md.
#include "ota/reason_codes.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "support/files.hpp"

namespace lintel::ota {
namespace {

TEST(ReasonCodes, UniqueAndPrefixed) {
    std::set<std::string_view> seen;
    for (auto code : reason::all) {
        EXPECT_TRUE(code.starts_with("ota.")) << code;
        EXPECT_TRUE(seen.insert(code).second) << code;
    }
    EXPECT_EQ(seen.size(), 29u);
}

TEST(ReasonCodes, EveryCodeIsInTheDocumentation) {
    auto doc = lintel::test::read_file(std::string(LINTEL_SOURCE_DIR) + "/docs/ota.md");
    ASSERT_TRUE(doc) << doc.error().message;
    for (auto code : reason::all) {
        EXPECT_NE(doc->find("`" + std::string(code) + "`"), std::string::npos)
            << code << " is not documented in docs/ota.md";
    }
}

}  // namespace
}  // namespace lintel::ota

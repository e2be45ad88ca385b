// The credentials codes are stable and documented: unique, "cred."-prefixed, each in
// docs/credentials.md.
#include "credentials/reason_codes.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "support/files.hpp"

namespace lintel::credentials {
namespace {

TEST(CredentialsReasonCodes, UniqueAndPrefixed) {
    std::set<std::string_view> seen;
    for (auto code : reason::all) {
        EXPECT_TRUE(code.starts_with("cred.")) << code;
        EXPECT_TRUE(seen.insert(code).second) << code;
    }
    for (auto code : error::all) {
        EXPECT_TRUE(code.starts_with("cred.")) << code;
        EXPECT_TRUE(seen.insert(code).second) << code;
    }
    for (auto code : apply::all) {
        EXPECT_TRUE(code.starts_with("cred.")) << code;
        EXPECT_TRUE(seen.insert(code).second) << code;
    }
    EXPECT_EQ(seen.size(), 8u + 7u + 6u);
}

TEST(CredentialsReasonCodes, EveryCodeIsInTheDocumentation) {
    auto doc = lintel::test::read_file(std::string(LINTEL_SOURCE_DIR) + "/docs/credentials.md");
    ASSERT_TRUE(doc) << doc.error().message;
    for (const auto& codes :
         {std::vector<std::string_view>(reason::all.begin(), reason::all.end()),
          std::vector<std::string_view>(error::all.begin(), error::all.end()),
          std::vector<std::string_view>(apply::all.begin(), apply::all.end())}) {
        for (auto code : codes) {
            EXPECT_NE(doc->find("`" + std::string(code) + "`"), std::string::npos)
                << code << " is not documented in docs/credentials.md";
        }
    }
}

}  // namespace
}  // namespace lintel::credentials

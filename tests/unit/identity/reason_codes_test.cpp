// Every cert.* code is unique, prefixed, and documented in docs/certificates.md.
#include "identity/reason_codes.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "support/files.hpp"

namespace lintel::identity {
namespace {

TEST(ReasonCodes, UniquePrefixedAndDocumented) {
    auto doc = lintel::test::read_file(std::string(LINTEL_SOURCE_DIR) + "/docs/certificates.md");
    ASSERT_TRUE(doc) << doc.error().message;
    std::set<std::string_view> seen;
    for (auto code : reason::all) {
        EXPECT_TRUE(seen.insert(code).second) << code;
        EXPECT_TRUE(code.starts_with("cert.")) << code;
        EXPECT_NE(doc->find("`" + std::string(code) + "`"), std::string::npos)
            << code << " is not in docs/certificates.md";
    }
}

}  // namespace
}  // namespace lintel::identity

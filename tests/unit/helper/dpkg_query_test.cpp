// Reading dpkg-query's answer (the run itself is covered by the integration tests).
#include "helper/dpkg_query.hpp"

#include <gtest/gtest.h>

namespace lintel::helper {
namespace {

TEST(DpkgQueryOutput, InstalledAndOtherStatesPassThrough) {
    auto s = parse_dpkg_query_output("lintel", 0, "9.8.7\tinstalled\n", "");
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_EQ(s->status, "installed");
    EXPECT_EQ(s->version, "9.8.7");
    auto half = parse_dpkg_query_output("lintel", 0, "0.2.0\thalf-configured\n", "");
    ASSERT_TRUE(half);
    EXPECT_EQ(half->status, "half-configured");
    EXPECT_EQ(half->version, "0.2.0");
    // Warnings on stderr do not matter when it succeeded.
    EXPECT_TRUE(parse_dpkg_query_output("lintel", 0, "1:2.0~rc1-3\tconfig-files\n",
                                        "dpkg-query: warning: missing 'Maintainer' field\n"));
}

TEST(DpkgQueryOutput, UnknownPackageIsNotInstalled) {
    auto s =
        parse_dpkg_query_output("lintel", 1, "", "dpkg-query: no packages found matching lintel\n");
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_EQ(s->status, "not-installed");
    EXPECT_EQ(s->version, std::nullopt);
    // A purged package dpkg still lists has no version worth reporting.
    auto purged = parse_dpkg_query_output("lintel", 0, "\tnot-installed\n", "");
    ASSERT_TRUE(purged);
    EXPECT_EQ(purged->status, "not-installed");
    EXPECT_EQ(purged->version, std::nullopt);
}

TEST(DpkgQueryOutput, FailuresAndSurprisesAreInternalErrors) {
    auto broken = parse_dpkg_query_output("lintel", 2, "",
                                          "dpkg-query: error: parsing file '/x/status'\nmore\n");
    ASSERT_FALSE(broken);
    EXPECT_EQ(broken.error().code, "helper.internal");
    EXPECT_NE(broken.error().message.find("exited 2: dpkg-query: error: parsing file"),
              std::string::npos);
    for (auto out : {"", "9.8.7 installed\n", "9.8.7\tinstalled", "1\tinstalled\n2\tinstalled\n",
                     "1\tInstalled!\n", "1\t\n"}) {
        auto r = parse_dpkg_query_output("lintel", 0, out, "");
        ASSERT_FALSE(r) << out;
        EXPECT_EQ(r.error().code, "helper.internal");
    }
}

TEST(DpkgQuery, MissingDatabaseIsAnErrorNotNotInstalled) {
    auto r = query_package("/nonexistent/dpkg", "lintel");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "helper.internal");
    EXPECT_NE(r.error().message.find("/nonexistent/dpkg/status"), std::string::npos);
}

}  // namespace
}  // namespace lintel::helper

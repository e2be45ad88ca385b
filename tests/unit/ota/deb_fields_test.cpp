// Reading dpkg-deb --field and dpkg-query output for the deb handler.
#include "deb_fields.hpp"

#include <gtest/gtest.h>

namespace lintel::ota::deb {
namespace {

TEST(DebFields, PackageAndVersion) {
    auto f = parse_deb_fields("Package: lintel\nVersion: 1:0.2.0~rc1+b2\n");
    ASSERT_TRUE(f) << f.error().message;
    EXPECT_EQ(f->package, "lintel");
    EXPECT_EQ(f->version, "1:0.2.0~rc1+b2");
}

TEST(DebFields, AnythingElseIsAMismatch) {
    for (std::string_view bad :
         {"", "Package: lintel\n", "Version: 1\nPackage: lintel\n", "Package: lintel\nVersion: 1",
          "Package: lintel\nVersion: 1\nDepends: x\n", "Package: a b\nVersion: 1\n",
          "Package: lintel\nVersion: \n", "Package: lintel\nVersion: 1\x1b\n"}) {
        auto f = parse_deb_fields(bad);
        ASSERT_FALSE(f) << bad;
        EXPECT_EQ(f.error().code, "ota.artifact_mismatch");
    }
}

TEST(PackageState, InstalledNotInstalledAndUnknown) {
    auto installed = parse_package_state("lintel", 0, "installed 0.1.0\n");
    ASSERT_TRUE(installed);
    EXPECT_EQ(installed->status, "installed");
    EXPECT_EQ(installed->version, "0.1.0");
    auto removed = parse_package_state("lintel", 0, "config-files 0.1.0\n");
    ASSERT_TRUE(removed);
    EXPECT_EQ(removed->status, "config-files");
    EXPECT_FALSE(removed->version);  // only an installed package has a version in effect
    auto unknown = parse_package_state("lintel", 1, "");
    ASSERT_TRUE(unknown);
    EXPECT_EQ(unknown->status, "not-installed");
    for (auto [code, out] : {std::pair{2, ""}, std::pair{0, "installed 1\ninstalled 2\n"},
                             std::pair{0, "Installed 1\n"}, std::pair{0, "installed \n"}}) {
        auto bad = parse_package_state("lintel", code, out);
        ASSERT_FALSE(bad) << out;
        EXPECT_EQ(bad.error().code, "ota.query_failed");
    }
}

}  // namespace
}  // namespace lintel::ota::deb

// The file handler's destination rules: strictly below an allowed directory, no "." or "..".
#include "destination.hpp"

#include <gtest/gtest.h>

namespace lintel::ota::file {
namespace {

TEST(Destination, SplitsIntoAllowedRootAndRelativePath) {
    auto ref = resolve_destination("/srv/other:/var/lib/firmware/", "/var/lib/firmware/m/fw.bin");
    ASSERT_TRUE(ref) << ref.error().message;
    EXPECT_EQ(ref->root, "/var/lib/firmware");
    EXPECT_EQ(ref->relative, "m/fw.bin");
}

TEST(Destination, OutsideOrMalformedIsRefused) {
    auto code = [](std::string_view allowed, std::string_view dest) {
        auto r = resolve_destination(allowed, dest);
        return r ? std::string("accepted") : r.error().code;
    };
    EXPECT_EQ(code("/var/lib/firmware", "/etc/shadow"), "ota.not_allowed");
    EXPECT_EQ(code("/var/lib/firmware", "/var/lib/firmware"), "ota.not_allowed");
    EXPECT_EQ(code("/var/lib/firmware", "/var/lib/firmware-evil/x"), "ota.not_allowed");
    EXPECT_EQ(code("", "/var/lib/firmware/x"), "ota.not_allowed");
    EXPECT_EQ(code("relative/dir", "/relative/dir/x"), "ota.not_allowed");
    EXPECT_EQ(code("/var/lib/firmware", "/var/lib/firmware/../../etc/shadow"), "ota.bad_params");
    EXPECT_EQ(code("/var/lib/firmware", "/var/lib/firmware/./x"), "ota.bad_params");
    EXPECT_EQ(code("/var/lib/firmware", "/var/lib/firmware//x"), "ota.bad_params");
    EXPECT_EQ(code("/var/lib/firmware", "var/lib/firmware/x"), "ota.bad_params");
}

TEST(Destination, Modes) {
    EXPECT_EQ(parse_mode("0644").value_or(0), 0644u);
    EXPECT_EQ(parse_mode("600").value_or(0), 0600u);
    for (auto bad : {"4755", "0648", "64", "0o644", ""}) EXPECT_FALSE(parse_mode(bad)) << bad;
}

}  // namespace
}  // namespace lintel::ota::file

// Reading rauc 1.8's JSON: the status of an A/B system before and after an install (captured
// from the real rauc), bundle info, and malformed output refused with ota.query_failed.
#include "rauc_json.hpp"

#include <gtest/gtest.h>

namespace lintel::ota::rauc {
namespace {

// `rauc status --detailed --output-format=json` after installing 2.0.0 into slot B.
constexpr std::string_view k_status =
    R"({"compatible":"lintel-test","variant":"","booted":"A","boot_primary":null,"slots":[)"
    R"({"rootfs.1":{"class":"rootfs","device":"/tmp/slotB.img","type":"raw","bootname":"B",)"
    R"("state":"inactive","parent":null,"mountpoint":null,"boot_status":"bad","slot_status":)"
    R"({"bundle":{"compatible":"lintel-test","version":"2.0.0"},"checksum":{"sha256":"ec",)"
    R"("size":100000},"installed":{"timestamp":"2026-11-22T01:23:15Z","count":1},"status":"ok"}}},)"
    R"({"rootfs.0":{"class":"rootfs","device":"/tmp/slotA.img","type":"raw","bootname":"A",)"
    R"("state":"booted","parent":null,"mountpoint":null,"boot_status":"good","slot_status":)"
    R"({"bundle":{"compatible":null}}}}]})";

TEST(RaucJson, StatusNamesTheBootedSlotAndEachBundleVersion) {
    auto status = parse_status(k_status);
    ASSERT_TRUE(status) << status.error().message;
    EXPECT_EQ(status->compatible, "lintel-test");
    EXPECT_EQ(status->booted, "A");
    ASSERT_EQ(status->slots.size(), 2u);
    EXPECT_EQ(status->slots[0].name, "rootfs.1");
    EXPECT_EQ(status->slots[0].bundle_version, "2.0.0");
    const Slot* booted = status->booted_slot();
    ASSERT_NE(booted, nullptr);
    EXPECT_EQ(booted->name, "rootfs.0");
    EXPECT_EQ(booted->boot_status, "good");
    EXPECT_FALSE(booted->bundle_version.has_value());  // never written by rauc
}

TEST(RaucJson, BundleInfo) {
    auto info = parse_bundle_info(
        R"({"compatible":"lintel-test","version":"2.0.0","description":null,"build":null,)"
        R"("hooks":[],"images":[{"rootfs":{"filename":"rootfs.img","size":100000}}]})");
    ASSERT_TRUE(info) << info.error().message;
    EXPECT_EQ(info->compatible, "lintel-test");
    EXPECT_EQ(info->version, "2.0.0");
}

TEST(RaucJson, MalformedOutputIsRefused) {
    for (std::string_view bad :
         {std::string_view(""), std::string_view("rauc-Message: hello"), std::string_view("[]"),
          std::string_view(R"({"booted":"A"})"), std::string_view(R"({"booted":7,"slots":[]})"),
          std::string_view(R"({"booted":"A","slots":[{"a":{},"b":{}}]})"),
          std::string_view(R"({"booted":"A","slots":[{"a":{"state":1}}]})")}) {
        auto status = parse_status(bad);
        ASSERT_FALSE(status) << bad;
        EXPECT_EQ(status.error().code, "ota.query_failed");
    }
    EXPECT_FALSE(parse_bundle_info(R"({"compatible":"x"})"));
    EXPECT_FALSE(parse_bundle_info(R"({"compatible":"x","version":""})"));
    EXPECT_FALSE(parse_status(std::string(100, '[') + std::string(100, ']')));
}

}  // namespace
}  // namespace lintel::ota::rauc

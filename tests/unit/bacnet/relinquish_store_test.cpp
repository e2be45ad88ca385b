// Unit tests of the timed-relinquish file: round trip, atomic replacement, removal when empty,
// and tolerance of damaged lines.
#include "relinquish_store.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "support/files.hpp"

namespace lintel::bacnet {
namespace {

const std::vector<TimedRelinquish> kEntries{
    {"valve", {ObjectType::analog_output, 1}, 8, 1700000000000},
    {"fan speed", {ObjectType::multi_state_output, 4194302}, 16, 1700000600000},
};

TEST(BacnetRelinquishStore, RoundTripsThroughText) {
    const std::string text = encode_relinquish_file("instance:1234", kEntries);
    EXPECT_EQ(text,
              "lintel-bacnet-relinquish 1\n"
              "device instance:1234\n"
              "relinquish 1700000000000 1 1 8 valve\n"
              "relinquish 1700000600000 14 4194302 16 fan speed\n");
    const auto back = decode_relinquish_file(text);
    EXPECT_EQ(back.device_key, "instance:1234");
    EXPECT_EQ(back.entries, kEntries);
    EXPECT_TRUE(back.problems.empty());
}

TEST(BacnetRelinquishStore, DamagedLinesAreSkippedAndNamed) {
    const auto f = decode_relinquish_file(
        "lintel-bacnet-relinquish 1\r\n"
        "device address:192.0.2.1:47808\n"
        "relinquish 17 1 1 0 bad-priority\n"
        "relinquish x 1 1 8 bad-time\n"
        "relinquish 17 1 1 8\n"
        "relinquish 17 1 1 8 good\n"
        "frobnicate\n");
    EXPECT_EQ(f.device_key, "address:192.0.2.1:47808");
    ASSERT_EQ(f.entries.size(), 1U);
    EXPECT_EQ(f.entries[0].point, "good");
    ASSERT_EQ(f.problems.size(), 4U);
    EXPECT_EQ(f.problems[0], "line 3: object type, instance or priority out of range");
    EXPECT_EQ(f.problems[2], "line 5: no point name");
    EXPECT_EQ(f.problems[3], "line 7: unknown line kind \"frobnicate\"");
    const auto foreign = decode_relinquish_file("something else\nrelinquish 1 1 1 1 x\n");
    EXPECT_TRUE(foreign.entries.empty());
    EXPECT_EQ(foreign.problems.size(), 1U);
    EXPECT_TRUE(decode_relinquish_file("").entries.empty());
}

TEST(BacnetRelinquishStore, NewlinesInNamesCannotForgeLines) {
    const std::vector<TimedRelinquish> evil{
        {"a\nrelinquish 1 1 1 1 forged", {ObjectType::analog_output, 1}, 8, 5}};
    const auto back = decode_relinquish_file(encode_relinquish_file("k", evil));
    ASSERT_EQ(back.entries.size(), 1U);
    EXPECT_EQ(back.entries[0].point, "a?relinquish 1 1 1 1 forged");
}

TEST(BacnetRelinquishStore, SavesAtomicallyAndRemovesWhenEmpty) {
    test::TempDir dir("lintel-bacnet-state");
    const auto file = relinquish_file_for(dir.path() / "bacnet", "ahu-1");
    EXPECT_EQ(file, dir.path() / "bacnet" / "ahu-1.relinquish");
    auto empty = load_relinquish_file(file);
    ASSERT_TRUE(empty) << empty.error().message;
    EXPECT_TRUE(empty->entries.empty());

    ASSERT_TRUE(save_relinquish_file(file, "instance:1", kEntries));  // creates bacnet/
    struct stat st {};
    ASSERT_EQ(::stat(file.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0640U);
    auto loaded = load_relinquish_file(file);
    ASSERT_TRUE(loaded);
    EXPECT_EQ(loaded->entries, kEntries);
    EXPECT_EQ(loaded->device_key, "instance:1");

    ASSERT_TRUE(save_relinquish_file(file, "instance:1", {}));
    EXPECT_FALSE(std::filesystem::exists(file));
    ASSERT_TRUE(save_relinquish_file(file, "instance:1", {}));  // nothing to remove: fine

    // An unwritable state directory is an error naming the path, not a crash.
    auto bad = save_relinquish_file("/proc/lintel-no/such/x.relinquish", "k", kEntries);
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, "bacnet.state");
    EXPECT_NE(bad.error().message.find("/proc/lintel-no/such"), std::string::npos);
}

}  // namespace
}  // namespace lintel::bacnet

// The apply-config journal: round trip, absence, corruption, and its file mode.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <fstream>

#include "app/apply_journal.hpp"
#include "support/files.hpp"

namespace lintel::app {
namespace {

TEST(ApplyJournal, RoundTripKeepsEveryField) {
    test::TempDir dir("lintel-journal");
    ApplyJournal journal(dir / "config-apply.json");
    auto none = journal.read();
    ASSERT_TRUE(none);
    EXPECT_FALSE(*none);

    PendingApply p{"cmd-7", "ops-1", "ops", "devices.d/m.yaml", "devices: []\n\"quoted\"\n",
                   1000,    121000};
    ASSERT_TRUE(journal.record(p));
    struct stat st {};
    ASSERT_EQ(::stat(journal.path().c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600U);  // it holds a configuration
    auto back = journal.read();
    ASSERT_TRUE(back && *back);
    EXPECT_EQ((*back)->command_id, "cmd-7");
    EXPECT_EQ((*back)->kid, "ops-1");
    EXPECT_EQ((*back)->principal, "ops");
    EXPECT_EQ((*back)->file, "devices.d/m.yaml");
    EXPECT_EQ((*back)->previous, p.previous);
    EXPECT_EQ((*back)->started_ms, 1000);
    EXPECT_EQ((*back)->deadline_ms, 121000);

    p.previous.reset();  // the file did not exist before
    ASSERT_TRUE(journal.record(p));
    back = journal.read();
    ASSERT_TRUE(back && *back);
    EXPECT_FALSE((*back)->previous.has_value());

    ASSERT_TRUE(journal.clear());
    back = journal.read();
    ASSERT_TRUE(back);
    EXPECT_FALSE(*back);
    EXPECT_TRUE(journal.clear());  // clearing twice is fine
}

TEST(ApplyJournal, CorruptRecordIsAnErrorNotAPendingApply) {
    test::TempDir dir("lintel-journal");
    ApplyJournal journal(dir / "config-apply.json");
    for (const char* text : {"", "{", "[]", R"({"v":1,"command_id":"x"})",
                             R"({"command_id":"a","kid":"k","principal":"p","file":"f",
                                 "previous":5,"started_ms":1,"deadline_ms":2})"}) {
        std::ofstream(journal.path(), std::ios::trunc) << text;
        auto r = journal.read();
        ASSERT_FALSE(r) << text;
        EXPECT_EQ(r.error().code, "apply_journal.corrupt");
    }
}

}  // namespace
}  // namespace lintel::app

// The helper's own OTA records: the anti-rollback floor (absent until a commit of a release with
// a min_version, raised by next_floor, never lowered, written atomically, refused when corrupt),
// the pending release's manifest, and the one-try mark of --ota-recover.
#include "helper/ota_records.hpp"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include "commands/keys.hpp"
#include "support/files.hpp"

namespace lintel::helper {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

class OtaRecordsTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_EQ(::chmod(dir_.path().c_str(), 0700), 0);
        auto root = OpenDirectory::open(dir_.path());
        ASSERT_TRUE(root) << root.error().message;
        root_.emplace(std::move(*root));
    }
    OtaRecords open() {
        auto records = OtaRecords::open(*root_, "deb", "lintel");
        EXPECT_TRUE(records) << records.error().message;
        return std::move(records.value());
    }
    // A signed manifest of lintel `version` with `min_version`.
    std::string release(const std::string& version, std::optional<std::string> min_version) {
        ota::Manifest m;
        m.id = "lintel-" + version;
        m.component = "lintel";
        m.version = version;
        m.handler = "deb";
        m.target.product = "p";
        m.target.hardware = {"h"};
        m.artifacts = {ota::Artifact{"l.deb", "https://u.example/l.deb", std::string(64, 'a'), 1}};
        m.min_version = std::move(min_version);
        m.issued_at_ms = 1'700'000'000'000;
        auto jws = ota::sign_manifest(m, "rel", key_);
        EXPECT_TRUE(jws) << jws.error().message;
        return jws.value_or("");
    }
    fs::path file(const char* name) const { return dir_ / ".records/deb/lintel" / name; }

    TempDir dir_{"lintel-ota-records"};
    std::optional<OpenDirectory> root_;
    commands::PrivateKey key_ = commands::PrivateKey::generate(commands::KeyType::ed25519).value();
};

TEST_F(OtaRecordsTest, TheFloorFollowsCommittedReleasesAndNeverGoesDown) {
    OtaRecords records = open();
    EXPECT_EQ(records.floor().value(), std::nullopt);
    // Directories are private (0700) like the rest of the helper's state.
    struct stat st {};
    ASSERT_EQ(::stat(file("").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700u);

    ASSERT_TRUE(records.begin_install(release("1.0", std::nullopt)));
    EXPECT_EQ(records.pending().value()->version, "1.0");
    EXPECT_EQ(records.pending().value()->kid, "rel");
    EXPECT_EQ(records.commit("1.0").value(), std::nullopt);  // no min_version: no floor
    EXPECT_FALSE(fs::exists(file("pending.jws")));

    ASSERT_TRUE(records.begin_install(release("2.0", "1.5")));
    EXPECT_EQ(records.floor().value(), std::nullopt);  // only a commit moves it
    EXPECT_EQ(records.commit("2.0").value(), "1.5");
    EXPECT_EQ(test::read_file(file("floor")).value_or(""), "1.5\n");
    ASSERT_EQ(::stat(file("floor").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);

    // A lower min_version (a signed downgrade) leaves the floor where it is.
    ASSERT_TRUE(records.begin_install(release("1.6", "1.0")));
    EXPECT_EQ(records.commit("1.6").value(), "1.5");
    ASSERT_TRUE(records.begin_install(release("3.0", "3.0")));
    EXPECT_EQ(records.commit("3.0").value(), "3.0");
    // Reopened: the floor is on disk, not in memory.
    EXPECT_EQ(open().floor().value(), "3.0");
    // A retried commit (nothing pending any more) keeps it.
    EXPECT_EQ(records.commit("3.0").value(), "3.0");
}

TEST_F(OtaRecordsTest, ACommitOfAnotherVersionDropsTheRecordWithoutRaisingTheFloor) {
    OtaRecords records = open();
    ASSERT_TRUE(records.begin_install(release("2.0", "2.0")));
    EXPECT_EQ(records.commit("1.0").value(), std::nullopt);
    EXPECT_FALSE(fs::exists(file("pending.jws")));
    EXPECT_FALSE(fs::exists(file("floor")));
}

TEST_F(OtaRecordsTest, ACorruptOrForeignFloorIsRefusedNotGuessed) {
    OtaRecords records = open();
    ASSERT_TRUE(test::write_file(file("floor"), "latest\n", 0600));
    auto floor = records.floor();
    ASSERT_FALSE(floor);
    EXPECT_EQ(floor.error().code, "helper.internal");
    EXPECT_NE(floor.error().message.find("will not guess"), std::string::npos);
    fs::remove(file("floor"));
    fs::create_symlink("/etc/hostname", file("floor"));
    auto linked = records.floor();
    ASSERT_FALSE(linked);
    EXPECT_EQ(linked.error().code, "helper.unsafe_path");
    // A commit cannot raise a floor it cannot read.
    fs::remove(file("floor"));
    ASSERT_TRUE(test::write_file(file("floor"), std::string(1000, '1'), 0600));
    ASSERT_TRUE(records.begin_install(release("2.0", "2.0")));
    EXPECT_FALSE(records.commit("2.0"));
    EXPECT_TRUE(fs::exists(file("pending.jws"))) << "kept for a retried commit";
}

TEST_F(OtaRecordsTest, RecoveryIsTriedOncePerPendingInstall) {
    OtaRecords records = open();
    EXPECT_FALSE(records.recovery_attempted().value());
    ASSERT_TRUE(records.begin_install(release("2.0", std::nullopt)));
    ASSERT_TRUE(records.mark_recovery_attempted("2.0"));
    EXPECT_TRUE(records.recovery_attempted().value());
    EXPECT_TRUE(open().recovery_attempted().value());
    // A new install may be recovered again; a rollback forgets both.
    ASSERT_TRUE(records.begin_install(release("2.1", std::nullopt)));
    EXPECT_FALSE(records.recovery_attempted().value());
    ASSERT_TRUE(records.mark_recovery_attempted("2.1"));
    ASSERT_TRUE(records.forget_pending());
    EXPECT_FALSE(records.recovery_attempted().value());
    EXPECT_EQ(records.pending().value(), std::nullopt);
}

TEST_F(OtaRecordsTest, AnotherUsersDirectoryIsRefused) {
    fs::create_directories(dir_ / ".records");
    ASSERT_EQ(::chmod((dir_ / ".records").c_str(), 0755), 0);
    auto records = OtaRecords::open(*root_, "deb", "lintel");
    ASSERT_FALSE(records);
    EXPECT_EQ(records.error().code, "helper.unsafe_path");
}

}  // namespace
}  // namespace lintel::helper

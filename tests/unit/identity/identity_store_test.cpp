// IdentityStore: directory modes, promote (current/previous), roll back, crash leftovers.
#include "identity/identity_store.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "identity/key_source.hpp"
#include "identity/reason_codes.hpp"
#include "support/files.hpp"

namespace lintel::identity {
namespace {

mode_t mode_of(const std::filesystem::path& p) {
    struct stat st {};
    EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
    return st.st_mode & 0777;
}

class IdentityStoreTest : public ::testing::Test {
protected:
    IdentityStore open() {
        auto s = IdentityStore::open(dir_ / "identity");
        EXPECT_TRUE(s) << (s ? "" : s.error().message);
        return std::move(*s);
    }
    void new_pending(IdentityStore& s) {
        ASSERT_TRUE(s.reset_pending());
        ASSERT_TRUE(make_file_key_source()->generate(s.pending_key()));
    }
    lintel::test::TempDir dir_{"lintel-identity-store"};
};

TEST_F(IdentityStoreTest, StartsEmptyWithPrivateDirectory) {
    auto s = open();
    EXPECT_FALSE(s.current());
    EXPECT_FALSE(s.previous());
    EXPECT_EQ(mode_of(dir_ / "identity"), 0700u);
}

TEST_F(IdentityStoreTest, RefusesDirectoryOpenToOthers) {
    std::filesystem::create_directory(dir_ / "identity");
    ::chmod((dir_ / "identity").c_str(), 0755);
    auto s = IdentityStore::open(dir_ / "identity");
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().code, reason::store_failed);
    EXPECT_NE(s.error().message.find("0755"), std::string::npos);
}

TEST_F(IdentityStoreTest, PromoteSwitchesPairAndKeepsPrevious) {
    auto s = open();
    new_pending(s);
    auto first = s.promote_pending("CERT-1");
    ASSERT_TRUE(first) << first.error().message;
    EXPECT_EQ(*lintel::test::read_file(first->cert), "CERT-1");
    EXPECT_EQ(mode_of(first->key), 0600u);
    EXPECT_EQ(mode_of(first->key.parent_path()), 0700u);
    EXPECT_FALSE(s.previous());

    new_pending(s);
    auto second = s.promote_pending("CERT-2");
    ASSERT_TRUE(second);
    EXPECT_NE(second->generation, first->generation);
    EXPECT_EQ(s.previous(), first);

    new_pending(s);
    auto third = s.promote_pending("CERT-3");
    ASSERT_TRUE(third);
    EXPECT_EQ(s.previous(), second);
    EXPECT_FALSE(std::filesystem::exists(first->cert)) << "the oldest generation is deleted";

    // What is on disk is what was promoted: a fresh open sees the same pair.
    auto reopened = open();
    EXPECT_EQ(reopened.current(), third);
    EXPECT_EQ(reopened.previous(), second);
}

TEST_F(IdentityStoreTest, RollBackRestoresPreviousAndThenFactory) {
    auto s = open();
    new_pending(s);
    auto first = *s.promote_pending("CERT-1");
    new_pending(s);
    auto second = *s.promote_pending("CERT-2");
    ASSERT_TRUE(s.roll_back());
    EXPECT_EQ(s.current(), first);
    EXPECT_FALSE(s.previous());
    EXPECT_FALSE(std::filesystem::exists(second.cert)) << "the refused identity is deleted";
    EXPECT_EQ(open().current(), first);
    ASSERT_TRUE(s.roll_back());
    EXPECT_FALSE(s.current()) << "no issued identity left: the factory one applies";
    EXPECT_FALSE(open().current());
}

TEST_F(IdentityStoreTest, PromoteWithoutPendingKeyIsRefused) {
    auto s = open();
    auto r = s.promote_pending("CERT");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, reason::store_failed);
    EXPECT_FALSE(s.current());
}

TEST_F(IdentityStoreTest, GenerationLeftByACrashBeforeTheSwitchIsRemoved) {
    auto s = open();
    new_pending(s);
    auto first = *s.promote_pending("CERT-1");
    // A crash after the rename of the new generation but before state.json was replaced.
    std::filesystem::create_directory(dir_ / "identity" / "gen-7");
    ASSERT_TRUE(lintel::test::write_file(dir_ / "identity" / "gen-7" / "cert.pem", "x", 0600));
    auto reopened = open();
    EXPECT_EQ(reopened.current(), first);
    EXPECT_FALSE(std::filesystem::exists(dir_ / "identity" / "gen-7"));
    new_pending(reopened);
    auto next = reopened.promote_pending("CERT-2");
    ASSERT_TRUE(next);
    EXPECT_EQ(next->generation, "gen-8") << "numbers are never reused";
}

TEST_F(IdentityStoreTest, CorruptStateIsRefused) {
    std::filesystem::create_directory(dir_ / "identity");
    ::chmod((dir_ / "identity").c_str(), 0700);
    ASSERT_TRUE(lintel::test::write_file(dir_ / "identity" / "state.json",
                                         R"({"current":"../etc"})", 0600));
    auto s = IdentityStore::open(dir_ / "identity");
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().code, reason::store_failed);
}

}  // namespace
}  // namespace lintel::identity

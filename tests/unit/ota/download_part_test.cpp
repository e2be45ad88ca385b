// PartFile: what a resume keeps, all-or-nothing writes, the size bound, commit and finish.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "ota/download_part.hpp"
#include "support/files.hpp"

namespace lintel::ota {
namespace {

using lintel::test::read_file;
using lintel::test::TempDir;
using lintel::test::write_file;

class PartFileTest : public ::testing::Test {
protected:
    std::filesystem::path dest() const { return dir_.path() / "a.bin"; }
    std::filesystem::path part() const { return dir_.path() / "a.bin.part"; }
    std::filesystem::path meta() const { return dir_.path() / "a.bin.part.meta"; }
    TempDir dir_{"lintel-ota-part"};
};

TEST_F(PartFileTest, FreshFileWritesCommitsAndFinishes) {
    auto f = PartFile::open(dest(), "https://h/a.bin", 10);
    ASSERT_TRUE(f) << f.error().message;
    EXPECT_EQ(f->offset(), 0u);
    ASSERT_TRUE(f->restart("\"e1\"", ""));
    ASSERT_TRUE(f->write("hello", 5));
    ASSERT_TRUE(f->commit());
    auto m = parse_part_meta(*read_file(meta()));
    ASSERT_TRUE(m);
    EXPECT_EQ(m->committed, 5u);
    EXPECT_EQ(m->etag, "\"e1\"");
    struct stat st {};
    ASSERT_EQ(::stat(part().c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    ASSERT_TRUE(f->write("world", 5));
    auto over = f->write("!", 1);
    ASSERT_FALSE(over);
    EXPECT_EQ(over.error().code, "ota.too_large");
    ASSERT_TRUE(f->finish());
    EXPECT_EQ(*read_file(dest()), "helloworld");
    EXPECT_FALSE(std::filesystem::exists(part()));
    EXPECT_FALSE(std::filesystem::exists(meta()));
}

TEST_F(PartFileTest, ResumesTheSameArtifactUpToTheCommittedLength) {
    {
        auto f = PartFile::open(dest(), "https://h/a.bin", 10);
        ASSERT_TRUE(f);
        ASSERT_TRUE(f->restart("\"e1\"", "lm"));
        ASSERT_TRUE(f->write("abcd", 4));
        ASSERT_TRUE(f->commit());
        ASSERT_TRUE(f->write("ef", 2));  // not committed: a crash may lose it
    }
    auto f = PartFile::open(dest(), "https://h/a.bin", 10);
    ASSERT_TRUE(f);
    EXPECT_EQ(f->offset(), 4u);
    EXPECT_EQ(f->meta().etag, "\"e1\"");
    EXPECT_EQ(f->meta().last_modified, "lm");
    EXPECT_EQ(*read_file(part()), "abcd");
    char buf[8];
    auto n = f->read_at(0, buf, sizeof buf);
    ASSERT_TRUE(n);
    EXPECT_EQ(std::string(buf, *n), "abcd");
}

TEST_F(PartFileTest, AnotherArtifactOrSizeStartsFromZero) {
    for (const auto& [resource, size] : std::vector<std::pair<std::string, std::uint64_t>>{
             {"https://h/b.bin", 10}, {"https://h/a.bin", 11}}) {
        {
            auto f = PartFile::open(dest(), "https://h/a.bin", 10);
            ASSERT_TRUE(f);
            ASSERT_TRUE(f->restart({}, {}));
            ASSERT_TRUE(f->write("abcd", 4));
            ASSERT_TRUE(f->commit());
        }
        auto f = PartFile::open(dest(), resource, size);
        ASSERT_TRUE(f);
        EXPECT_EQ(f->offset(), 0u) << resource << " " << size;
        EXPECT_EQ(*read_file(part()), "");
        EXPECT_FALSE(std::filesystem::exists(meta()));
    }
}

TEST_F(PartFileTest, APartWithoutMetaOrShorterThanCommittedStartsFromZero) {
    ASSERT_TRUE(write_file(part(), "abcd", 0600));
    auto f = PartFile::open(dest(), "https://h/a.bin", 10);
    ASSERT_TRUE(f);
    EXPECT_EQ(f->offset(), 0u);
    ASSERT_TRUE(write_file(part(), "ab", 0600));
    ASSERT_TRUE(write_file(
        meta(), "lintel-ota-part 1\nresource https://h/a.bin\nsize 10\ncommitted 4\n", 0600));
    auto g = PartFile::open(dest(), "https://h/a.bin", 10);
    ASSERT_TRUE(g);
    EXPECT_EQ(g->offset(), 0u);
}

TEST_F(PartFileTest, DiscardRemovesBoth) {
    auto f = PartFile::open(dest(), "https://h/a.bin", 10);
    ASSERT_TRUE(f);
    ASSERT_TRUE(f->restart({}, {}));
    f->discard();
    EXPECT_FALSE(std::filesystem::exists(part()));
    EXPECT_FALSE(std::filesystem::exists(meta()));
}

TEST_F(PartFileTest, MissingStagingDirectoryIsAnError) {
    auto f = PartFile::open(dir_.path() / "nope" / "a.bin", "https://h/a.bin", 10);
    ASSERT_FALSE(f);
    EXPECT_EQ(f.error().code, "ota.download_failed");
}

TEST_F(PartFileTest, FreeSpaceReadsTheFilesystem) {
    auto free = free_space(dir_.path());
    ASSERT_TRUE(free);
    EXPECT_GT(*free, 0u);
    EXPECT_FALSE(free_space(dir_.path() / "nope"));
}

}  // namespace
}  // namespace lintel::ota

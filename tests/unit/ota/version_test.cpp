// Debian version ordering and syntax: a table of known orderings, and the whole order of a list
// of tricky versions checked against the real dpkg (--compare-versions).
#include "ota/version.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "commands_test_support.hpp"
#include "support/files.hpp"

namespace lintel::ota {
namespace {

int sign_of(int c) { return (c > 0) - (c < 0); }

struct Ordered {
    const char* a;
    const char* b;
    int expected;  // -1: a < b, 0: equal, 1: a > b
};

TEST(Version, KnownOrderings) {
    const std::vector<Ordered> table{
        {"1.0", "1.0", 0},
        {"1.9.3", "1.10.0", -1},  // numbers, not text
        {"1.10", "1.9", 1},
        {"2.0", "10.0", -1},
        {"1.0", "1.0.0", -1},
        {"1.00", "1.0", 0},  // leading zeros do not count
        {"0001.0", "1.0", 0},
        {"1.0~rc1", "1.0", -1},  // ~ sorts before the end: pre-releases
        {"1.0~~", "1.0~", -1},
        {"1.0~~a", "1.0~~", 1},
        {"1.0~rc1", "1.0~rc2", -1},
        {"3.0.0~beta2", "3.0.0~beta10", -1},
        {"3.0.0~alpha", "3.0.0~beta", -1},
        {"1.0", "1.0a", -1},
        {"1.0a", "1.0+", -1},  // letters before other characters
        {"1.0B", "1.0a", -1},  // upper case before lower case
        {"1.0+dfsg", "1.0.1", -1},
        {"1.0", "1.0-0", 0},  // no revision is revision 0
        {"1.0-1", "1.0-0", 1},
        {"1.0-9", "1.0-10", -1},
        {"1.0-1~bpo1", "1.0-1", -1},
        {"1.0-1", "1.0-1+b1", -1},
        {"1.0-1", "1.0-1.1", -1},
        {"0:1.0", "1.0", 0},  // epoch 0 is no epoch
        {"1:0.1", "9.9", 1},  // the epoch wins
        {"2:0", "1:99", 1},
        {"01:1.0", "1:1.0", 0},
        {"1.2.3-4", "1.2.3-r1", -1},
        {"20240101", "20231231", 1},
        {"1.0-1-1", "1.0-1", 1},  // the revision is after the last hyphen: upstream 1.0-1 > 1.0
    };
    for (const auto& row : table) {
        EXPECT_EQ(sign_of(compare_versions(row.a, row.b)), row.expected)
            << row.a << " vs " << row.b;
        EXPECT_EQ(sign_of(compare_versions(row.b, row.a)), -row.expected)
            << row.b << " vs " << row.a;
    }
}

TEST(Version, Syntax) {
    for (const char* good : {"1", "0", "1.0", "1.4.2-1", "2:1.0~rc1-0+deb12u1", "1.0+git20240101",
                             "1.0-1-1", "9.9.9~~", "1a", "0:0", "123456789:1"}) {
        EXPECT_EQ(version_problem(good), std::nullopt) << good;
    }
    const std::vector<std::pair<std::string, std::string>> bad{
        {"", "is empty"},
        {std::string(129, '1'), "longer than 128"},
        {"v1.0", "must start with a digit"},
        {"1.0 beta", "character other than"},
        {"1.0/2", "character other than"},
        {"1.0_2", "character other than"},
        {"a:1.0", "epoch must be 1-9 digits"},
        {":1.0", "epoch must be 1-9 digits"},
        {"1234567890:1.0", "epoch must be 1-9 digits"},
        {"1:2:3", "colon after the epoch"},
        {"1.0-", "revision after the last '-' is empty"},
        {"1:", "no upstream"},
        {"-1", "no upstream"},
        {"1.0-r:1", "epoch must be 1-9 digits"},
    };
    for (const auto& [text, why] : bad) {
        auto problem = version_problem(text);
        ASSERT_TRUE(problem) << text;
        EXPECT_NE(problem->find(why), std::string::npos) << text << ": " << *problem;
    }
}

// Whatever the input, an answer that is antisymmetric and no crash.
TEST(Version, AnyInputIsOrderedConsistently) {
    const std::vector<std::string> odd{
        "", "~", "~~", "a", "-", ":", "1:", "::1", "1-", "0:", "00", "\xff", "1..0", "1.0-~"};
    for (const auto& a : odd) {
        for (const auto& b : odd) {
            EXPECT_EQ(sign_of(compare_versions(a, b)), -sign_of(compare_versions(b, a)))
                << a << " vs " << b;
        }
    }
}

// The reference: dpkg itself. The list sorted by compare_versions must be in order for dpkg too,
// pair by adjacent pair (lt or eq exactly where we say so); dpkg's order being transitive, the
// two orders then agree on every pair.
TEST(Version, SameOrderAsDpkg) {
    if (!std::filesystem::exists("/usr/bin/dpkg")) GTEST_SKIP() << "dpkg is not installed";
    std::vector<std::string> versions{"0",
                                      "0.1",
                                      "1",
                                      "1.0",
                                      "1.0-0",
                                      "0:1.0",
                                      "1.0-1",
                                      "1.0-1.1",
                                      "1.0-1+b1",
                                      "1.0-1~bpo1",
                                      "1.0~rc1",
                                      "1.0~rc1-1",
                                      "1.0~~",
                                      "1.0~~a",
                                      "1.0~",
                                      "1.0a",
                                      "1.0+dfsg",
                                      "1.0.0",
                                      "1.0.1",
                                      "1.2",
                                      "1.9.3",
                                      "1.10.0",
                                      "1.10",
                                      "2.0",
                                      "10.0",
                                      "1:0.1",
                                      "2:0",
                                      "1.0-a",
                                      "1.0-A",
                                      "1.0+",
                                      "1.0.",
                                      "1.0-2",
                                      "1.0-10",
                                      "1.0-9",
                                      "0001.0",
                                      "1.00",
                                      "1.0b",
                                      "1.0B",
                                      "1.0-1ubuntu1",
                                      "3.0.0~beta2",
                                      "3.0.0~beta10",
                                      "3.0.0~alpha",
                                      "3.0.0",
                                      "20240101",
                                      "1a",
                                      "1.0+git20240101",
                                      "1.0-0.1",
                                      "9",
                                      "99",
                                      "1.2.3-4",
                                      "1.2.3-4.1",
                                      "1.2.3-r1",
                                      "1.0-1-1",
                                      "01:1.0",
                                      "1.0~b",
                                      "1.0~B",
                                      "1.0.0.0.1",
                                      "0.0.0",
                                      "4.2.0-1+deb12u1",
                                      "4.2.0-1+deb12u2"};
    for (const auto& v : versions) ASSERT_TRUE(is_valid_version(v)) << v;
    std::sort(versions.begin(), versions.end(), [](const std::string& a, const std::string& b) {
        return compare_versions(a, b) < 0;
    });
    lintel::test::TempDir dir("lintel-version");
    auto dpkg = [&](const std::string& a, const char* op, const std::string& b) {
        auto r = commands::test::run({"dpkg", "--compare-versions", a, op, b}, dir.path());
        EXPECT_TRUE(r) << (r ? "" : r.error().message);
        EXPECT_TRUE(r && (r->code == 0 || r->code == 1))
            << a << " " << op << " " << b << ": " << (r ? r->err : "");
        return r && r->code == 0;
    };
    for (std::size_t i = 0; i + 1 < versions.size(); ++i) {
        const auto& a = versions[i];
        const auto& b = versions[i + 1];
        const bool equal = compare_versions(a, b) == 0;
        EXPECT_EQ(dpkg(a, "eq", b), equal) << a << " vs " << b;
        if (!equal) {
            EXPECT_TRUE(dpkg(a, "lt", b)) << a << " < " << b << " for us, not for dpkg";
        }
    }
}

}  // namespace
}  // namespace lintel::ota

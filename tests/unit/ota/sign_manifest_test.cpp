// lintel-sign manifest and verify-manifest, the real binary: what it prints verifies with the
// gateway's verify_manifest and carries the artifact's size and sha256sum's digest; -o never
// overwrites; usage mistakes exit 2 before the key is read; tampering is caught.
#include <gtest/gtest.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "commands_test_support.hpp"
#include "ota/manifest_verifier.hpp"
#include "ota/reason_codes.hpp"
#include "support/files.hpp"

namespace lintel::ota {
namespace {

using commands::test::RunResult;

class SignManifestTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto r = sign({"keygen", "--alg", "ed25519", "--out", "rel.key"});
        ASSERT_EQ(r.code, 0) << r.err;
        ASSERT_TRUE(
            lintel::test::write_file(dir_ / "lintel.deb", std::string(70'000, 'x') + "end"));
        auto sum = commands::test::run({"sha256sum", "lintel.deb"}, dir_.path());
        ASSERT_TRUE(sum && sum->code == 0);
        sha256_ = sum->out.substr(0, 64);
    }

    RunResult sign(std::vector<std::string> args) {
        args.insert(args.begin(), LINTEL_SIGN_BINARY);
        auto result = commands::test::run(args, dir_.path());
        if (!result) {
            ADD_FAILURE() << result.error().message;
            return {};
        }
        return *result;
    }

    std::vector<std::string> base_args() const {
        return {"manifest",
                "--key",
                "rel.key",
                "--kid",
                "rel-2024",
                "--component",
                "lintel",
                "--version",
                "1.4.2-1",
                "--handler",
                "deb",
                "--product",
                "lintel-gw",
                "--hardware",
                "rev-b",
                "--hardware",
                "rev-c",
                "--artifact",
                "lintel.deb=lintel.deb",
                "--url",
                "lintel.deb=https://updates.example.com/lintel.deb"};
    }

    ReleaseKeys keys() {
        auto pub = commands::PublicKey::from_pem_file(dir_ / "rel.key.pub");
        EXPECT_TRUE(pub) << pub.error().message;
        return ReleaseKeys({ReleaseKey{"rel-2024", *pub, false}});
    }

    std::int64_t now_ms() const {
        return std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
            .count();
    }

    lintel::test::TempDir dir_{"lintel-sign-manifest"};
    std::string sha256_;
};

TEST_F(SignManifestTest, OutputVerifiesOnAGateway) {
    auto args = base_args();
    for (const char* extra : {"--gateway", "gw-001", "--min-version", "1.2.0", "--param",
                              "timeout=300s", "--expires-in", "30d", "--allow-downgrade"}) {
        args.push_back(extra);
    }
    auto r = sign(args);
    ASSERT_EQ(r.code, 0) << r.err;
    ASSERT_TRUE(r.out.ends_with("\n"));
    const std::string jws = r.out.substr(0, r.out.size() - 1);
    auto m = verify_manifest(jws, keys(), now_ms());
    ASSERT_TRUE(m) << m.error().message;
    EXPECT_EQ(m->kid, "rel-2024");
    EXPECT_EQ(m->id, "lintel-1.4.2-1");
    EXPECT_EQ(m->component, "lintel");
    EXPECT_EQ(m->version, "1.4.2-1");
    EXPECT_EQ(m->handler, "deb");
    EXPECT_EQ(m->target.hardware, (std::vector<std::string>{"rev-b", "rev-c"}));
    EXPECT_EQ(m->target.gateways, std::vector<std::string>{"gw-001"});
    ASSERT_EQ(m->artifacts.size(), 1u);
    EXPECT_EQ(m->artifacts[0].size, 70'003u);
    EXPECT_EQ(m->artifacts[0].sha256, sha256_);
    EXPECT_EQ(m->artifacts[0].url, "https://updates.example.com/lintel.deb");
    EXPECT_EQ(m->min_version, "1.2.0");
    EXPECT_TRUE(m->allow_downgrade);
    EXPECT_EQ(m->params.at("timeout"), "300s");
    ASSERT_TRUE(m->expires_at_ms);
    EXPECT_EQ(*m->expires_at_ms - m->issued_at_ms, 30LL * 24 * 3600 * 1000);
    EXPECT_LE(std::abs(m->issued_at_ms - now_ms()), 60'000);
    EXPECT_TRUE(check_applicable(*m, {"gw-001", "lintel-gw", "rev-c"}, "1.4.1", std::nullopt,
                                 std::vector<std::string>{"deb"}, 1 << 20));

    // And the tool's own check agrees; a tampered copy does not pass it.
    ASSERT_TRUE(lintel::test::write_file(dir_ / "m.jws", r.out));
    auto v = sign({"verify-manifest", "--pubkey", "rel.key.pub", "--in", "m.jws"});
    EXPECT_EQ(v.code, 0) << v.err;
    EXPECT_EQ(nlohmann::json::parse(v.out).at("version"), "1.4.2-1");
    ASSERT_TRUE(lintel::test::write_file(
        dir_ / "t.jws", commands::test::with_char_changed(jws, jws.find('.') + 30)));
    v = sign({"verify-manifest", "--pubkey", "rel.key.pub", "--in", "t.jws"});
    EXPECT_EQ(v.code, 1);
    EXPECT_NE(v.err.find("manifest: "), std::string::npos) << v.err;
}

TEST_F(SignManifestTest, WritesANewFileOnly) {
    auto args = base_args();
    args.insert(args.end(), {"-o", "m.jws", "--id", "rel-42"});
    auto r = sign(args);
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out,
              "manifest rel-42 (lintel 1.4.2-1, 1 artifact, kid rel-2024) written to m.jws\n");
    auto text = lintel::test::read_file(dir_ / "m.jws");
    ASSERT_TRUE(text);
    auto m = verify_manifest(text->substr(0, text->size() - 1), keys(), now_ms());
    ASSERT_TRUE(m) << m.error().message;
    EXPECT_EQ(m->id, "rel-42");
    r = sign(args);
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("already exists"), std::string::npos) << r.err;
}

TEST_F(SignManifestTest, UsageMistakesExitTwoBeforeTheKeyIsRead) {
    struct Case {
        std::vector<std::string> change;  // replaces --version/--kid, appended otherwise
        std::string message;
    };
    const std::vector<Case> cases{
        {{"--version", "latest"}, "version: \"latest\" upstream version must start with a digit"},
        {{"--url", "other.deb=https://x/o.deb"}, "--url other.deb names no --artifact"},
        {{"--artifact", "b.deb=lintel.deb"}, "--artifact b.deb has no --url b.deb=URL"},
        {{"--artifact", "c.deb=missing.deb", "--url", "c.deb=https://x/c"},
         "--artifact c.deb: cannot open"},
        {{"--url", "lintel.deb=http://x"}, "--url lintel.deb is given twice"},
        {{"--param", "novalue"}, "--param \"novalue\": K=V expected"},
        {{"--expires-in", "forever"}, "--expires-in \"forever\" is not a duration"},
        {{"--min-version", "2.0"}, "min_version: \"2.0\" is higher than version"},
        {{"--kid", "bad kid"}, "--kid must be"},
        {{"--gateway", "gw 1"}, "target.gateways[0]: must be"},
    };
    for (const auto& c : cases) {
        auto args = base_args();
        args[2] = "no-such.key";  // a key problem would exit 1: these must not get that far
        auto at = std::find(args.begin(), args.end(), c.change[0]);
        if (at != args.end() && (c.change[0] == "--version" || c.change[0] == "--kid")) {
            *(at + 1) = c.change[1];
        } else {
            args.insert(args.end(), c.change.begin(), c.change.end());
        }
        auto r = sign(args);
        EXPECT_EQ(r.code, 2) << c.message << ": " << r.err;
        EXPECT_NE(r.err.find(c.message), std::string::npos) << r.err;
    }
    auto r = sign(base_args());
    EXPECT_EQ(r.code, 0) << r.err;
}

}  // namespace
}  // namespace lintel::ota

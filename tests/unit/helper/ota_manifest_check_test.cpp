// ota-install's manifest check without a handler: the request must be exactly its manifest
// (handler, component, version, params, artifacts by name, sha256 and size), and lintel.yaml must
// be usable and enabled before anything is verified.
#include "helper/ota_manifest_check.hpp"

#include <gtest/gtest.h>

#include "commands/keys.hpp"
#include "support/files.hpp"

namespace lintel::helper {
namespace {

using test::TempDir;

ota::Manifest manifest() {
    ota::Manifest m;
    m.id = "lintel-2.0";
    m.component = "lintel";
    m.version = "2.0";
    m.handler = "deb";
    m.target.product = "gw";
    m.target.hardware = {"rev-a"};
    m.artifacts = {ota::Artifact{"a.deb", "https://u.example/a.deb", std::string(64, 'a'), 10},
                   ota::Artifact{"b+1~x.deb", "https://u.example/b.deb", std::string(64, 'b'), 20}};
    m.params = {{"timeout", "30s"}};
    m.issued_at_ms = unix_now_ms() - 1000;
    return m;
}

OtaParams request() {
    OtaParams r;
    r.handler = "deb";
    r.component = "lintel";
    r.version = "2.0";
    // The other order than the manifest's: order does not matter, names do.
    r.artifacts = {{"b+1~x.deb", "/s/b", std::string(64, 'b'), 20},
                   {"a.deb", "/s/a", std::string(64, 'a'), 10}};
    r.params = {{"timeout", "30s"}};
    return r;
}

std::string mismatch(const OtaParams& r, const ota::Manifest& m = manifest()) {
    auto matched = match_manifest(r, m);
    if (matched) return "matched";
    EXPECT_EQ(matched.error().code, "ota.manifest_mismatch");
    return matched.error().message;
}

TEST(OtaManifestCheck, TheRequestMustBeTheManifest) {
    EXPECT_EQ(mismatch(request()), "matched");
    auto with = [](auto change) {
        OtaParams r = request();
        change(r);
        return mismatch(r);
    };
    EXPECT_NE(with([](OtaParams& r) { r.handler = "file"; }).find("handler \"file\""),
              std::string::npos);
    EXPECT_NE(with([](OtaParams& r) { r.component = "other"; }).find("component"),
              std::string::npos);
    EXPECT_NE(with([](OtaParams& r) { r.version = "2.0-1"; }).find("version \"2.0-1\""),
              std::string::npos);
    EXPECT_NE(with([](OtaParams& r) { r.params.clear(); }).find("params.timeout is missing"),
              std::string::npos);
    EXPECT_NE(with([](OtaParams& r) { r.params["timeout"] = "1s"; }).find("params.timeout differs"),
              std::string::npos);
    EXPECT_NE(with([](OtaParams& r) { r.params["dest"] = "/x"; }).find("params.dest is not in"),
              std::string::npos);
    EXPECT_NE(with([](OtaParams& r) { r.artifacts[1].sha256[0] = 'b'; }).find("has sha256"),
              std::string::npos);
    EXPECT_NE(with([](OtaParams& r) { r.artifacts[1].size = 11; }).find("has size 11"),
              std::string::npos);
    EXPECT_NE(with([](OtaParams& r) { r.artifacts.pop_back(); }).find("\"a.deb\" of release"),
              std::string::npos);
    EXPECT_NE(with([](OtaParams& r) { r.artifacts[0].name = "c.deb"; }).find("\"c.deb\" is not"),
              std::string::npos);
}

class OtaConfigCheck : public ::testing::Test {
protected:
    Expected<VerifiedRelease> verify(const std::string& yaml) {
        EXPECT_TRUE(test::write_file(dir_ / "lintel.yaml", yaml));
        OtaParams r = request();
        ota::Manifest m = manifest();
        r.manifest = ota::sign_manifest(m, "rel", key_).value_or("");
        return verify_install_request(r, dir_.path(), unix_now_ms());
    }
    std::string ota_section(const std::string& extra = "") const {
        EXPECT_TRUE(test::write_file(dir_ / "rel.pub", key_.public_key().to_pem()));
        return "gateway: {id: gw-1}\nota:\n  product: gw\n  hardware: rev-a\n  release_keys:\n"
               "    - {kid: rel, public_key: " +
               (dir_ / "rel.pub").string() + "}\n" + extra;
    }

    TempDir dir_{"lintel-ota-check"};
    commands::PrivateKey key_ = commands::PrivateKey::generate(commands::KeyType::ed25519).value();
};

TEST_F(OtaConfigCheck, AVerifiedReleaseCarriesTheLocalPolicy) {
    auto v = verify(ota_section("  handlers: [deb, file]\n  max_artifact_size: 2KiB\n"));
    ASSERT_TRUE(v) << v.error().message;
    EXPECT_EQ(v->manifest.id, "lintel-2.0");
    EXPECT_EQ(v->manifest.kid, "rel");
    EXPECT_EQ(v->gateway.gateway_id, "gw-1");
    EXPECT_EQ(v->handlers, (std::vector<std::string>{"deb", "file"}));
    EXPECT_EQ(v->max_artifact_size, 2048u);
    EXPECT_EQ(check_installable(*v, "2.0", std::nullopt).error().code, "ota.already_installed");
    EXPECT_EQ(check_installable(*v, "1.0", "2.1").error().code, "ota.below_floor");
    EXPECT_TRUE(check_installable(*v, "1.0", "2.0"));
    const auto label = label_of("", &v->manifest);
    EXPECT_EQ(label.release_id, "lintel-2.0");
    EXPECT_EQ(label.kid, "rel");
}

TEST_F(OtaConfigCheck, DisabledOrBrokenConfigurationsRefuseFirst) {
    auto disabled = verify(ota_section("  enabled: false\n"));
    ASSERT_FALSE(disabled);
    EXPECT_EQ(disabled.error().code, "ota.disabled");
    auto none = verify("gateway: {id: gw-1}\n");
    ASSERT_FALSE(none);
    EXPECT_EQ(none.error().code, "ota.disabled");
    auto typo = verify(ota_section("  handler: [deb]\n"));
    ASSERT_FALSE(typo);
    EXPECT_EQ(typo.error().code, "ota.bad_config");
    EXPECT_NE(typo.error().message.find((dir_ / "lintel.yaml").string()), std::string::npos);
    EXPECT_NE(typo.error().message.find("handler"), std::string::npos) << typo.error().message;
    auto no_key = verify(ota_section() + "gateway_extra: 1\n");
    ASSERT_TRUE(no_key) << no_key.error().message;  // other sections are not the helper's
    std::filesystem::remove(dir_ / "rel.pub");
    OtaParams r = request();
    r.manifest = "x";
    auto missing = verify_install_request(r, dir_.path(), unix_now_ms());
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, "ota.bad_config");
    EXPECT_NE(missing.error().message.find("rel.pub"), std::string::npos)
        << missing.error().message;
    auto no_dir = verify_install_request(r, {}, unix_now_ms());
    ASSERT_FALSE(no_dir);
    EXPECT_EQ(no_dir.error().code, "ota.bad_config");
}

TEST_F(OtaConfigCheck, TheLogLabelShowsTheClaimedKidOfAnUnverifiedManifest) {
    const std::string jws = ota::sign_manifest(manifest(), "someone", key_).value_or("");
    EXPECT_EQ(label_of(jws, nullptr).kid, "someone");
    EXPECT_EQ(label_of(jws, nullptr).release_id, "?");
    EXPECT_EQ(label_of("garbage", nullptr).kid, "?");
}

}  // namespace
}  // namespace lintel::helper

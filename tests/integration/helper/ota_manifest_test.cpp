// lintel-helper checks the signed manifest of every ota-install itself, with the real binary and
// the deb handler in a throwaway root: each refusal (no manifest, signature, keys, expiry, target,
// a request that is not its manifest, downgrade, the helper's own floor, OTA disabled, an unusable
// lintel.yaml) leaves nothing applied, copied or recorded, and is logged with release and kid; a
// good manifest installs, and its commit raises the helper's floor.
#include <gtest/gtest.h>

#include "commands/base64url.hpp"
#include "ota_deb_fixture.hpp"
#include "support/files.hpp"

namespace lintel::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class OtaManifest : public OtaDeb {
protected:
    json request_for(const json& artifact, const std::string& version) const {
        return params("deb", "otatest", version, {{"artifacts", json::array({artifact})}});
    }
    Expected<json> install_with(const json& artifact, const std::string& version,
                                const std::function<void(ota::Manifest&)>& edit) {
        return request("ota-install", with_manifest(request_for(artifact, version), edit));
    }
    // Every regular file below the state directory with its content, and what dpkg reports.
    std::map<std::string, std::string> snapshot() {
        std::map<std::string, std::string> out;
        out["(dpkg)"] = dpkg_status();
        if (!fs::exists(state_dir())) return out;
        for (const auto& entry : fs::recursive_directory_iterator(state_dir())) {
            if (entry.is_regular_file()) {
                out[fs::relative(entry.path(), state_dir()).string()] =
                    read_file(entry.path()).value_or("(unreadable)");
            }
        }
        return out;
    }
    // `send` is refused with `code`, and nothing was installed, copied or recorded: the state
    // directory and dpkg are exactly as before.
    Expected<json> expect_refused(const std::function<Expected<json>()>& send,
                                  std::string_view code) {
        const auto before = snapshot();
        auto r = send();
        EXPECT_FALSE(r) << "accepted: " << (r ? r->dump() : "");
        if (!r) {
            EXPECT_EQ(r.error().code, code) << r.error().message;
        }
        EXPECT_EQ(snapshot(), before);
        return r;
    }
    Expected<json> expect_refused(const std::function<void(ota::Manifest&)>& edit,
                                  const json& artifact, const std::string& version,
                                  std::string_view code) {
        return expect_refused([&] { return install_with(artifact, version, edit); }, code);
    }
    fs::path floor_file() const { return state_dir() / ".records/deb/otatest/floor"; }

    commands::PrivateKey stranger_ =
        commands::PrivateKey::generate(commands::KeyType::ed25519).value();
};

TEST_F(OtaManifest, AGoodManifestInstallsAndItsCommitRaisesTheHelpersFloor) {
    const json v1 = build("1.0");
    auto installed = install_with(v1, "1.0", [](ota::Manifest& m) { m.min_version = "0.9"; });
    ASSERT_TRUE(installed) << describe(installed);
    EXPECT_EQ(dpkg_status(), "installed 1.0");
    // The verified manifest is kept with the pending install; the floor moves only at commit.
    EXPECT_TRUE(fs::exists(state_dir() / ".records/deb/otatest/pending.jws"));
    EXPECT_FALSE(fs::exists(floor_file()));
    auto committed = step("ota-commit", "1.0");
    ASSERT_TRUE(committed) << describe(committed);
    EXPECT_EQ(committed->at("floor"), "0.9");
    EXPECT_EQ(read_file(floor_file()).value_or(""), "0.9\n");
    EXPECT_FALSE(fs::exists(state_dir() / ".records/deb/otatest/pending.jws"));
    EXPECT_TRUE(
        wait_for_log("ota-install: handler=deb component=otatest version=1.0 "
                     "release=otatest-1.0 kid=rel-test for uid 0: ok"));
}

TEST_F(OtaManifest, NoManifestNoInstall) {
    const json v1 = build("1.0");
    auto r = expect_refused([&] { return request("ota-install", request_for(v1, "1.0")); },
                            "helper.bad_params");
    if (!r) {
        EXPECT_NE(r.error().message.find("\"manifest\" is required"), std::string::npos);
    }
    json garbage = request_for(v1, "1.0");
    garbage["manifest"] = "not.a.jws";
    expect_refused([&] { return request("ota-install", garbage); }, "ota.malformed");
    EXPECT_EQ(dpkg_status(), "never heard of");
}

TEST_F(OtaManifest, SignaturesAndKeysAreTheHelpersOwnCall) {
    const json v1 = build("1.0");
    const ota::Manifest m = manifest_for(request_for(v1, "1.0"));
    auto with_jws = [&](const std::string& jws) {
        json p = request_for(v1, "1.0");
        p["manifest"] = jws;
        return [this, p] { return request("ota-install", p); };
    };
    // A trusted kid, someone else's key.
    expect_refused(with_jws(sign(m, k_release_kid, stranger_)), "ota.bad_signature");
    EXPECT_TRUE(wait_for_log("release=? kid=rel-test for uid 0: failed: ota.bad_signature"));
    // Changed after signing (a valid payload, now naming this gateway).
    const std::string jws = sign(m, k_release_kid, release_key_);
    const auto first = jws.find('.');
    const auto last = jws.rfind('.');
    json payload = json::parse(
        commands::base64url_decode(jws.substr(first + 1, last - first - 1)).value_or("{}"));
    payload["target"]["gateways"] = json::array({"gw-test"});
    expect_refused(with_jws(jws.substr(0, first + 1) + commands::base64url_encode(payload.dump()) +
                            jws.substr(last)),
                   "ota.bad_signature");
    // Not in ota.release_keys; listed as revoked.
    expect_refused(with_jws(sign(m, "rel-new", stranger_)), "ota.unknown_key");
    expect_refused(with_jws(sign(m, k_revoked_kid, revoked_key_)), "ota.revoked_key");
    EXPECT_TRUE(wait_for_log("kid=rel-old for uid 0: failed: ota.revoked_key"));
    EXPECT_EQ(dpkg_status(), "never heard of");
    // lintel.yaml is read on every request: a key added to it (rotation) counts at once.
    ASSERT_TRUE(write_file(config_dir() / "ota" / "rel-new.pub", stranger_.public_key().to_pem()));
    std::string rotated = read_file(config_dir() / "lintel.yaml").value_or("");
    const std::string list = "  release_keys:\n";
    ASSERT_NE(rotated.find(list), std::string::npos);
    rotated.insert(rotated.find(list) + list.size(),
                   "    - {kid: rel-new, public_key: " +
                       (config_dir() / "ota" / "rel-new.pub").string() + "}\n");
    ASSERT_TRUE(write_file(config_dir() / "lintel.yaml", rotated));
    auto installed = with_jws(sign(m, "rel-new", stranger_))();
    ASSERT_TRUE(installed) << describe(installed);
    EXPECT_EQ(dpkg_status(), "installed 1.0");
}

TEST_F(OtaManifest, ExpiredAndForeignManifestsAreRefused) {
    const json v1 = build("1.0");
    expect_refused(
        [](ota::Manifest& m) {
            m.issued_at_ms -= 7'200'000;
            m.expires_at_ms = m.issued_at_ms + 60'000;
        },
        v1, "1.0", "ota.expired");
    expect_refused([](ota::Manifest& m) { m.target.product = "other"; }, v1, "1.0",
                   "ota.wrong_target");
    expect_refused([](ota::Manifest& m) { m.target.hardware = {"rev-other"}; }, v1, "1.0",
                   "ota.wrong_target");
    expect_refused(
        [](ota::Manifest& m) { m.target.gateways = std::vector<std::string>{"gw-other"}; }, v1,
        "1.0", "ota.wrong_target");
    write_ota_config("[file]");
    expect_refused({}, v1, "1.0", "ota.handler_not_allowed");
    // Larger than ota.max_artifact_size (request and manifest agree on the size): refused
    // before the file is even opened.
    write_ota_config("[deb]", "  max_artifact_size: 1KiB\n");
    json big = v1;
    big["size"] = 4096;
    expect_refused({}, big, "1.0", "ota.too_large");
    EXPECT_EQ(dpkg_status(), "never heard of");
}

TEST_F(OtaManifest, ARequestThatIsNotItsManifestIsRefused) {
    const json v1 = build("1.0");
    const json v2 = build("2.0");
    auto refused = [&](const std::function<void(ota::Manifest&)>& edit, std::string_view what) {
        SCOPED_TRACE(what);
        auto r = expect_refused(edit, v1, "1.0", "ota.manifest_mismatch");
        if (!r) {
            EXPECT_NE(r.error().message.find(what), std::string::npos) << r.error().message;
        }
    };
    refused([](ota::Manifest& m) { m.handler = "file"; }, "handler \"deb\"");
    refused([](ota::Manifest& m) { m.component = "othertest"; }, "component \"otatest\"");
    refused([](ota::Manifest& m) { m.version = "1.1"; }, "version \"1.0\"");
    refused([](ota::Manifest& m) { m.params["destination"] = "/x"; }, "params.destination");
    refused([&](ota::Manifest& m) { m.artifacts[0].sha256 = v2.at("sha256"); }, "has sha256");
    refused([](ota::Manifest& m) { m.artifacts[0].size += 1; }, "has size");
    refused([](ota::Manifest& m) { m.artifacts[0].name = "other"; }, "\"package\" is not in");
    refused(
        [](ota::Manifest& m) {
            m.artifacts.push_back(m.artifacts[0]);
            m.artifacts[1].name = "extra";
        },
        "\"extra\" of release");
    // The request's params must be the manifest's too.
    json p = with_manifest(request_for(v1, "1.0"));
    p["params"] = {{"unsigned", "yes"}};
    expect_refused([&] { return request("ota-install", p); }, "ota.manifest_mismatch");
    EXPECT_EQ(dpkg_status(), "never heard of");
}

TEST_F(OtaManifest, DowngradesAndTheHelpersFloor) {
    const json v1 = build("1.0");
    const json v15 = build("1.5");
    const json v18 = build("1.8");
    const json v2 = build("2.0");
    ASSERT_TRUE(install_with(v2, "2.0", [](ota::Manifest& m) { m.min_version = "1.5"; }));
    expect_refused({}, v2, "2.0", "ota.already_installed");  // pending, not committed yet
    auto committed = step("ota-commit", "2.0");
    ASSERT_TRUE(committed) << describe(committed);
    EXPECT_EQ(committed->at("floor"), "1.5");
    expect_refused({}, v18, "1.8", "ota.downgrade");
    // Below the floor the commit raised: not even with a manifest that allows a downgrade.
    expect_refused([](ota::Manifest& m) { m.allow_downgrade = true; }, v1, "1.0",
                   "ota.below_floor");
    EXPECT_TRUE(
        wait_for_log("version=1.0 release=otatest-1.0 kid=rel-test for uid 0: failed: "
                     "ota.below_floor"));
    // At the floor, a signed downgrade is allowed; its commit never lowers the floor.
    auto down = install_with(v15, "1.5", [](ota::Manifest& m) {
        m.allow_downgrade = true;
        m.min_version = "1.0";
    });
    ASSERT_TRUE(down) << describe(down);
    EXPECT_EQ(dpkg_status(), "installed 1.5");
    auto again = step("ota-commit", "1.5");
    ASSERT_TRUE(again) << describe(again);
    EXPECT_EQ(again->at("floor"), "1.5");
    EXPECT_EQ(read_file(floor_file()).value_or(""), "1.5\n");
    // The floor is the helper's own record (linteld's ota.db has no say): raise it by hand.
    ASSERT_TRUE(write_file(floor_file(), "1.9\n", 0600));
    expect_refused([](ota::Manifest& m) { m.allow_downgrade = true; }, v18, "1.8",
                   "ota.below_floor");
    EXPECT_EQ(dpkg_status(), "installed 1.5");
}

TEST_F(OtaManifest, DisabledOrUnusableConfigurationRefusesEverything) {
    const json v1 = build("1.0");
    const std::string file = (config_dir() / "lintel.yaml").string();
    auto refused_naming = [&](std::string_view code, std::string_view needle) {
        SCOPED_TRACE(needle);
        auto r = expect_refused({}, v1, "1.0", code);
        if (!r) {
            EXPECT_NE(r.error().message.find(needle), std::string::npos) << r.error().message;
        }
    };
    write_ota_config("[deb]", "  enabled: false\n");
    refused_naming("ota.disabled", file);
    ASSERT_TRUE(write_file(config_dir() / "lintel.yaml", "gateway:\n  id: gw-test\n"));
    refused_naming("ota.disabled", "no ota: section");
    // Not YAML; a mistake in ota: (the key is named); no gateway.id.
    ASSERT_TRUE(write_file(config_dir() / "lintel.yaml", "gateway:\n  id: gw-test\nota: [\n"));
    refused_naming("ota.bad_config", file);
    write_ota_config("[deb]", "  max_artifact_size: huge\n");
    refused_naming("ota.bad_config", "ota.max_artifact_size");
    ASSERT_TRUE(write_file(config_dir() / "lintel.yaml", "ota:\n  enabled: false\n"));
    refused_naming("ota.bad_config", "gateway.id");
    // A release key file that cannot be read; no lintel.yaml at all.
    write_ota_config();
    fs::remove(config_dir() / "ota" / "rel-test.pub");
    refused_naming("ota.bad_config", "rel-test.pub");
    fs::remove(config_dir() / "lintel.yaml");
    refused_naming("ota.bad_config", file);
    EXPECT_TRUE(wait_for_log("release=? kid=rel-test for uid 0: failed: ota.bad_config"));
    EXPECT_EQ(dpkg_status(), "never heard of");
}

}  // namespace
}  // namespace lintel::test

// The deb handler end to end, through the real helper: test packages built at test time with
// dpkg-deb, installed into a throwaway root (dpkg --root), upgraded, rolled back (files and dpkg
// status asserted), committed; the rollback package rebuilt with dpkg-repack when the installed
// version did not come through OTA; and the helper's refusals before any handler runs.
#include <unistd.h>

#include <gtest/gtest.h>

#include "ota_deb_fixture.hpp"
#include "support/files.hpp"

namespace lintel::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using nlohmann::json;

TEST_F(OtaDeb, InstallsUpgradesRollsBackAndCommits) {
    const json v1 = build("1.0");
    const json v2 = build("2.0");
    auto none = request("ota-installed-version", params("deb", "otatest"));
    ASSERT_TRUE(none) << describe(none);
    EXPECT_TRUE(none->at("version").is_null());
    EXPECT_EQ(none->at("details").at("status"), "not-installed");

    auto first = install(v1, "1.0");
    ASSERT_TRUE(first) << describe(first);
    EXPECT_EQ(first->at("version"), "1.0");
    EXPECT_TRUE(first->at("previous_version").is_null());
    EXPECT_EQ(first->at("reboot_required"), false);
    EXPECT_EQ(installed_file(), "1.0\n");
    EXPECT_EQ(dpkg_status(), "installed 1.0");
    EXPECT_EQ(read_file(root() / "var/log/otatest-postinst").value_or(""), "configure 1.0\n");
    ASSERT_TRUE(step("ota-commit", "1.0"));

    auto upgrade = install(v2, "2.0");
    ASSERT_TRUE(upgrade) << describe(upgrade);
    EXPECT_EQ(upgrade->at("previous_version"), "1.0");
    EXPECT_EQ(upgrade->at("details").at("rollback_package"), "kept");
    EXPECT_EQ(installed_file(), "2.0\n");
    EXPECT_EQ(dpkg_status(), "installed 2.0");
    auto pending = request("ota-installed-version", params("deb", "otatest"));
    ASSERT_TRUE(pending);
    EXPECT_EQ(pending->at("version"), "2.0");
    EXPECT_EQ(pending->at("details").at("pending"), "yes");
    // A second install on top of a pending one is refused by the handler; nothing changes.
    auto stacked =
        request("ota-install",
                with_manifest(params("deb", "otatest", "1.0", {{"artifacts", json::array({v1})}}),
                              [](ota::Manifest& m) { m.allow_downgrade = true; }));
    ASSERT_FALSE(stacked);
    EXPECT_EQ(stacked.error().code, "ota.bad_params");
    EXPECT_EQ(dpkg_status(), "installed 2.0");

    auto back = step("ota-rollback", "2.0");
    ASSERT_TRUE(back) << describe(back);
    EXPECT_EQ(back->at("version"), "1.0");
    EXPECT_EQ(installed_file(), "1.0\n");
    EXPECT_EQ(dpkg_status(), "installed 1.0");
    auto nothing = step("ota-rollback", "2.0");
    ASSERT_FALSE(nothing);
    EXPECT_EQ(nothing.error().code, "ota.nothing_pending");

    // Again, and this time it is good: commit keeps 2.0's package as the next rollback target.
    ASSERT_TRUE(install(v2, "2.0"));
    auto committed = step("ota-commit", "2.0");
    ASSERT_TRUE(committed) << describe(committed);
    EXPECT_EQ(committed->at("version"), "2.0");
    EXPECT_TRUE(fs::exists(state_dir() / "deb/otatest/current.deb"));
    EXPECT_FALSE(fs::exists(state_dir() / "deb/otatest/rollback.deb"));
    auto again = step("ota-commit", "2.0");  // a retried commit whose answer was lost
    ASSERT_TRUE(again) << describe(again);
    EXPECT_EQ(again->at("details").at("already_committed"), "yes");
    EXPECT_EQ(dpkg_status(), "installed 2.0");

    EXPECT_TRUE(wait_for_log(
        "ota-rollback: handler=deb component=otatest version=2.0 for uid 0: ok (now 1.0"));
}

TEST_F(OtaDeb, RollsBackToAVersionThatDidNotComeThroughOtaWithDpkgRepack) {
    build("1.0");
    const auto direct =
        run_program(dir_.path(), {"dpkg", "--root=" + root().string(), "--force-script-chrootless",
                                  "-i", (staging_dir() / "otatest_1.0_all.deb").string()});
    ASSERT_EQ(direct.status, "exit 0") << direct.out << direct.err;
    const json v2 = build("2.0");
    auto upgrade = install(v2, "2.0");
    ASSERT_TRUE(upgrade) << describe(upgrade);
    EXPECT_EQ(upgrade->at("details").at("rollback_package"), "repacked");
    EXPECT_EQ(installed_file(), "2.0\n");
    auto back = step("ota-rollback", "2.0");
    ASSERT_TRUE(back) << describe(back);
    EXPECT_EQ(installed_file(), "1.0\n");
    EXPECT_EQ(dpkg_status(), "installed 1.0");
}

TEST_F(OtaDeb, APackageThatIsNotWhatTheRequestSaysIsRefusedUntouched) {
    const json other = build("1.0", "otherpkg");
    auto wrong_name = install(other, "1.0");
    ASSERT_FALSE(wrong_name);
    EXPECT_EQ(wrong_name.error().code, "ota.artifact_mismatch");
    EXPECT_NE(wrong_name.error().message.find("the package is otherpkg 1.0"), std::string::npos);
    auto wrong_version = install(build("1.0"), "1.1");
    ASSERT_FALSE(wrong_version);
    EXPECT_EQ(wrong_version.error().code, "ota.artifact_mismatch");
    EXPECT_EQ(dpkg_status("otherpkg"), "never heard of");
    EXPECT_EQ(dpkg_status(), "never heard of");
    EXPECT_FALSE(fs::exists(root() / "usr/share/otatest/version"));
}

TEST_F(OtaDeb, TheHelperRefusesArtifactsItCannotTrustBeforeAnyHandlerRuns) {
    const json good = build("1.0");
    // Outside the staging directory.
    json outside = good;
    fs::copy_file(good.at("path").get<std::string>(), dir_ / "outside.deb");
    outside["path"] = (dir_ / "outside.deb").string();
    auto r = install(outside, "1.0");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "ota.unsafe_artifact");
    // A symlink in the staging directory pointing out of it.
    fs::create_symlink(dir_ / "outside.deb", staging_dir() / "link.deb");
    json link = good;
    link["path"] = (staging_dir() / "link.deb").string();
    r = install(link, "1.0");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "ota.unsafe_artifact");
    EXPECT_NE(r.error().message.find("symbolic link"), std::string::npos);
    // Content that is not what the request's sha256 says.
    json tampered = good;
    tampered["sha256"] = std::string(64, '0');
    r = install(tampered, "1.0");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "ota.hash_mismatch");
    // An unknown handler (that lintel.yaml allows, or ota.handler_not_allowed comes first).
    write_ota_config("[deb, apk]");
    r = request("ota-install", with_manifest(params("apk", "otatest", "1.0",
                                                    {{"artifacts", json::array({good})}})));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "ota.unknown_handler");
    EXPECT_NE(r.error().message.find("known: deb, file, rauc, script"), std::string::npos)
        << r.error().message;
    EXPECT_EQ(dpkg_status(), "never heard of");
    // Each refusal is logged with who asked and what.
    EXPECT_TRUE(
        wait_for_log("ota-install: handler=deb component=otatest version=1.0 "
                     "release=otatest-1.0 kid=rel-test for uid 0: failed: ota.hash_mismatch"));
    EXPECT_TRUE(wait_for_log("outcome=ota.unsafe_artifact"));
    // No private copy is left behind.
    EXPECT_TRUE(fs::is_empty(state_dir() / ".incoming"));
}

}  // namespace
}  // namespace lintel::test

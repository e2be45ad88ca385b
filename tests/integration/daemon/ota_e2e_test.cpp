// OTA updates end to end: a signed ota-update command through mosquitto to linteld, the artifact
// over HTTPS from a faulty server, the install through the real lintel-helper and its file and
// script handlers, health judged from the uplink, events to the cloud on {prefix}/{gw}/ota.
// Refusals change nothing; kill -9 resumes; an unhealthy update is rolled back.
#include "ota_fixture.hpp"

namespace lintel::test {
namespace {

TEST_F(OtaTest, ASignedUpdateIsDownloadedInstalledAndCommitted) {
    start_and_wait_for_commands();
    const std::string content(300'000, 'n');
    auto m = manifest("1.1", content);
    m.min_version = "1.0";
    std::string command_id;
    auto r = update(sign(m), &command_id);
    ASSERT_TRUE(r) << daemon_log();
    ASSERT_EQ(r->status, commands::ResultStatus::ok) << r->output.dump();
    EXPECT_EQ(r->output.at("release_id"), m.id);

    auto done = final_event(m.id);
    ASSERT_TRUE(done) << daemon_log();
    EXPECT_EQ(done->at("state"), "committed") << done->dump();
    EXPECT_EQ(firmware_content(), content);
    EXPECT_EQ(states_of(m.id), (std::vector<std::string>{"downloading", "verifying", "installing",
                                                         "awaiting_health", "committed"}));
    // Progress reached 100 % and was not sent per chunk.
    std::size_t progress = 0;
    bool complete = false;
    for (const auto& e : events()) {
        if (!e.contains("bytes")) continue;
        ++progress;
        complete = complete || e.at("percent") == 100;
    }
    EXPECT_TRUE(complete);
    EXPECT_LE(progress, 25u);
    EXPECT_TRUE(staging_empty());

    // ota-status reports it, with the floor the release set.
    auto status = simple("ota-status");
    ASSERT_TRUE(status);
    EXPECT_EQ(status->output.at("state"), "committed");
    EXPECT_EQ(status->output.at("floor"), "1.0");
    // The outcome is in the audit log under the command that started it.
    auto audit = simple("get-audit", {{"since", 0}, {"limit", 500}});
    ASSERT_TRUE(audit);
    bool outcome_audited = false;
    for (const auto& row : audit->output.at("records")) {
        outcome_audited = outcome_audited || (row.value("source", "") == "ota" &&
                                              row.value("command_id", "") == command_id &&
                                              row.value("decision", "") == "executed");
    }
    EXPECT_TRUE(outcome_audited) << audit->output.dump();

    // The same version again, and an older one, are refused before any byte is fetched.
    const auto fetched = server_->requests().size();
    auto again = update(sign(manifest("1.1", content)));
    ASSERT_TRUE(again);
    EXPECT_EQ(again->reason, "ota.already_installed");
    auto older = update(sign(manifest("1.0.5", "old")));
    ASSERT_TRUE(older);
    EXPECT_EQ(older->reason, "ota.downgrade");
    EXPECT_EQ(server_->requests().size(), fetched);
    EXPECT_EQ(firmware_content(), content);
}

TEST_F(OtaTest, ManifestsThatMustNotApplyAreRefusedWithNothingFetchedOrChanged) {
    start_and_wait_for_commands();
    auto good = manifest("2.0", "new firmware");

    auto tampered = sign(good);  // payload changed after signing
    {
        auto other = good;
        other.version = "2.1";
        const std::string forged = sign(other);
        const auto dot1 = tampered.find('.');
        const auto dot2 = tampered.rfind('.');
        tampered = tampered.substr(0, dot1) +
                   forged.substr(forged.find('.'), forged.rfind('.') - forged.find('.')) +
                   tampered.substr(dot2);
    }
    auto wrong_target = good;
    wrong_target.target.product = "another-product";
    auto other_gateway = good;
    other_gateway.target.gateways = std::vector<std::string>{"gw-somewhere-else"};
    auto too_big = good;
    too_big.artifacts[0].size = 9 * 1024 * 1024;  // ota.max_artifact_size is 8 MiB
    auto not_allowed = good;
    not_allowed.handler = "deb";
    auto expired = good;
    expired.issued_at_ms = now_ms() - 7'200'000;
    expired.expires_at_ms = now_ms() - 3'600'000;

    commands::PrivateKey stranger = *commands::PrivateKey::generate(commands::KeyType::ed25519);
    auto by_stranger = ota::sign_manifest(good, "rel-9", stranger);
    auto forged_rel1 = ota::sign_manifest(good, "rel-1", stranger);

    const std::vector<std::pair<std::string, std::string>> cases{
        {tampered, "ota.bad_signature"},
        {forged_rel1.value_or(""), "ota.bad_signature"},
        {by_stranger.value_or(""), "ota.unknown_key"},
        {sign(good, "rel-0"), "ota.revoked_key"},
        {sign(expired), "ota.expired"},
        {sign(wrong_target), "ota.wrong_target"},
        {sign(other_gateway), "ota.wrong_target"},
        {sign(too_big), "ota.too_large"},
        {sign(not_allowed), "ota.handler_not_allowed"},
        {"not.a.manifest", "ota.malformed"},
    };
    for (const auto& [jws, reason] : cases) {
        auto r = update(jws);
        ASSERT_TRUE(r) << reason;
        EXPECT_EQ(r->status, commands::ResultStatus::rejected) << reason;
        EXPECT_EQ(r->reason.value_or(""), reason) << r->output.dump();
    }
    EXPECT_TRUE(server_->requests().empty());
    EXPECT_EQ(firmware_content(), "firmware 1.0\n");
    EXPECT_TRUE(events().empty());
    // Every refusal is audited.
    std::size_t audited = 0;
    for (const auto& a : audit_records()) {
        if (a.at("action") == "ota-update" && a.at("decision") == "rejected") ++audited;
    }
    EXPECT_EQ(audited, cases.size());
}

TEST_F(OtaTest, ATamperedArtifactIsRefusedAfterTheDownloadAndNothingIsInstalled) {
    start_and_wait_for_commands();
    auto m = manifest("2.0", std::string(100'000, 't'));
    server_->set_faults("/2.0.bin", FileFaults{.corrupt_at = 4242});
    ASSERT_TRUE(update(sign(m)));
    auto done = final_event(m.id);
    ASSERT_TRUE(done) << daemon_log();
    EXPECT_EQ(done->at("state"), "failed");
    EXPECT_EQ(done->at("reason"), "ota.hash_mismatch");
    EXPECT_EQ(firmware_content(), "firmware 1.0\n");
    EXPECT_TRUE(staging_empty());
}

TEST_F(OtaTest, ATruncatedArtifactIsRefusedWithoutRetrying) {
    start_and_wait_for_commands();
    auto m = manifest("2.0", std::string(100'000, 't'));
    server_->put("/2.0.bin", std::string(60'000, 't'));  // the server has less than signed
    ASSERT_TRUE(update(sign(m)));
    auto done = final_event(m.id, 20s);
    ASSERT_TRUE(done) << daemon_log();
    EXPECT_EQ(done->at("state"), "failed");
    EXPECT_EQ(done->at("reason"), "ota.download_refused");
    EXPECT_EQ(server_->requests().size(), 1u);
    EXPECT_EQ(firmware_content(), "firmware 1.0\n");
}

TEST_F(OtaTest, ADownloadDroppedHalfWayResumesWhereItStopped) {
    start_and_wait_for_commands();
    const std::string content(400'000, 'r');
    auto m = manifest("2.0", content);
    server_->set_faults("/2.0.bin", FileFaults{.drop_after = 200'000});
    ASSERT_TRUE(update(sign(m)));
    auto done = final_event(m.id);
    ASSERT_TRUE(done) << daemon_log();
    EXPECT_EQ(done->at("state"), "committed");
    EXPECT_EQ(firmware_content(), content);
    bool resumed = false;
    for (const auto& req : server_->requests()) resumed = resumed || req.status == 206;
    EXPECT_TRUE(resumed);
    EXPECT_LT(server_->body_bytes_sent(), content.size() + 100'000);
}

TEST_F(OtaTest, AbortDuringTheDownloadStopsItAndNothingIsInstalled) {
    start_and_wait_for_commands();
    auto m = manifest("2.0", std::string(400'000, 'a'));
    server_->set_faults("/2.0.bin", FileFaults{.stall_at = 100'000});
    ASSERT_TRUE(update(sign(m)));
    ASSERT_TRUE(wait_until([&] { return server_->requests().size() == 1; }, 10s));
    auto r = simple("ota-abort", {{"reason", "bad release"}});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, commands::ResultStatus::ok) << r->output.dump();
    auto done = final_event(m.id, 10s);
    ASSERT_TRUE(done) << daemon_log();
    EXPECT_EQ(done->at("state"), "failed");
    EXPECT_EQ(done->at("reason"), "ota.aborted");
    EXPECT_NE(done->at("message").get<std::string>().find("bad release"), std::string::npos);
    EXPECT_EQ(firmware_content(), "firmware 1.0\n");
    EXPECT_TRUE(staging_empty());
    // Nothing left to abort.
    r = simple("ota-abort");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->reason, "ota.not_abortable");
}

TEST_F(OtaTest, KillDuringTheDownloadResumesTheDownloadAfterTheRestart) {
    start_and_wait_for_commands();
    const std::string content(400'000, 'k');
    auto m = manifest("2.0", content);
    server_->set_faults("/2.0.bin", FileFaults{.stall_at = 150'000});
    ASSERT_TRUE(update(sign(m)));
    // The first 150 000 bytes are on disk (fsynced at the latest when the fetch stops).
    ASSERT_TRUE(wait_until([&] { return server_->body_bytes_sent() >= 150'000; }, 10s));
    ASSERT_TRUE(
        wait_until([&] { return fs::exists(staging_dir() / m.id / "meter.bin.part"); }, 10s));
    daemon_->kill9();
    server_->set_faults("/2.0.bin", FileFaults{});
    start_and_wait_for_commands();
    auto done = final_event(m.id);
    ASSERT_TRUE(done) << daemon_log();
    EXPECT_EQ(done->at("state"), "committed");
    EXPECT_EQ(firmware_content(), content);
    EXPECT_NE(daemon_log().find("found in state downloading"), std::string::npos);
}

// The script handler, for steps that take a while and leave traces: install sleeps, then writes
// "installed"; rollback writes "rolled-back".
class OtaScriptTest : public OtaTest {
protected:
    ota::Manifest script_manifest(const std::string& version, int install_seconds) {
        const fs::path trace = dir_->path() / "trace";
        const std::string script =
            "#!/bin/sh\nset -e\ncase \"$1\" in\n"
            "  install) sleep " +
            std::to_string(install_seconds) + "; echo installed >> " + trace.string() +
            " ;;\n"
            "  commit) echo committed >> " +
            trace.string() +
            " ;;\n"
            "  rollback) echo rolled-back >> " +
            trace.string() + " ;;\nesac\n";
        auto m = manifest(version, script);
        m.handler = "script";
        m.component = "meter-config";
        m.id = "meter-config-" + version;
        m.params.clear();
        return m;
    }
    std::string trace() const { return read_file(dir_->path() / "trace").value_or(""); }
};

TEST_F(OtaScriptTest, AnUpdateThatIsNotHealthyByTheDeadlineIsRolledBack) {
    start_and_wait_for_commands();
    auto m = script_manifest("3.0", 3);
    ASSERT_TRUE(update(sign(m)));
    // While the handler installs, the cloud goes away: the new version cannot prove itself.
    ASSERT_TRUE(wait_state_logged("installing")) << daemon_log();
    broker_->stop();
    ASSERT_TRUE(wait_state_logged("rolled_back", 40s)) << daemon_log();
    EXPECT_EQ(trace(), "installed\nrolled-back\n");
    ASSERT_TRUE(broker_->start());
    auto done = final_event(m.id, 30s);
    ASSERT_TRUE(done) << daemon_log();
    EXPECT_EQ(done->at("state"), "rolled_back");
    EXPECT_EQ(done->at("reason"), "ota.health_failed");
}

TEST_F(OtaScriptTest, KillDuringTheInstallFindsTheInstallDoneAndCommits) {
    start_and_wait_for_commands();
    auto m = script_manifest("3.0", 2);
    ASSERT_TRUE(update(sign(m)));
    ASSERT_TRUE(wait_state_logged("installing")) << daemon_log();
    daemon_->kill9();
    // The helper finishes the install on its own; the new linteld asks what is installed.
    start_and_wait_for_commands();
    auto done = final_event(m.id, 40s);
    ASSERT_TRUE(done) << daemon_log();
    EXPECT_EQ(done->at("state"), "committed") << done->dump();
    EXPECT_EQ(trace(), "installed\ncommitted\n");
    EXPECT_NE(daemon_log().find("found in state installing"), std::string::npos);
}

TEST_F(OtaScriptTest, KillWhileAwaitingHealthResumesTheHealthCheck) {
    start_and_wait_for_commands();
    auto m = script_manifest("3.0", 1);
    ASSERT_TRUE(update(sign(m)));
    ASSERT_TRUE(wait_state_logged("installing")) << daemon_log();
    broker_->stop();
    ASSERT_TRUE(wait_state_logged("awaiting_health")) << daemon_log();
    daemon_->kill9();
    ASSERT_TRUE(broker_->start());
    start_and_wait_for_commands();
    auto done = final_event(m.id, 30s);
    ASSERT_TRUE(done) << daemon_log();
    EXPECT_EQ(done->at("state"), "committed") << done->dump();
    EXPECT_EQ(trace(), "installed\ncommitted\n");
    EXPECT_NE(daemon_log().find("found in state awaiting_health"), std::string::npos);
}

TEST_F(OtaTest, AFullStagingDiskRefusesTheDownloadAndNothingIsInstalled) {
    if (::geteuid() != 0) GTEST_SKIP() << "mounting a tmpfs needs root";
    fs::create_directories(staging_dir());
    ASSERT_EQ(::system(("mount -t tmpfs -o size=1m tmpfs " + staging_dir().string()).c_str()), 0);
    tmpfs_mounted_ = true;
    start_and_wait_for_commands();
    auto m = manifest("2.0", std::string(2 * 1024 * 1024, 'f'));
    ASSERT_TRUE(update(sign(m)));
    auto done = final_event(m.id, 20s);
    ASSERT_TRUE(done) << daemon_log();
    EXPECT_EQ(done->at("state"), "failed");
    EXPECT_EQ(done->at("reason"), "ota.no_space");
    EXPECT_TRUE(server_->requests().empty());  // checked before connecting
    EXPECT_EQ(firmware_content(), "firmware 1.0\n");
}

}  // namespace
}  // namespace lintel::test

// apply-config end to end: a signed configuration file goes from the "cloud" through mosquitto to
// linteld, which validates it, has the real lintel-helper (under systemd-socket-activate) write
// it, applies it and keeps it only once the uplink is back, or rolls it back: after a deadline,
// and after a kill -9 during the trial (at the next start). Results are signed and audited.
#include "commands_fixture.hpp"

namespace lintel::test {
namespace {

namespace reason = commands::reason;

class ApplyConfigTest : public CommandsTest {
protected:
    void SetUp() override {
        CommandsTest::SetUp();
        if (HasFatalFailure()) return;
        main_text_ = main_with_commands(broker_->port());
        std::ofstream(config_path(), std::ios::trunc) << main_text_;
        start_helper();
    }

    void TearDown() override {
        CommandsTest::TearDown();
        activator_.reset();  // kills systemd-socket-activate and any helper instance
    }

    std::filesystem::path helper_socket() const { return dir_->path() / "helper.sock"; }

    // The fixture's main file with commands (apply-config granted) and the helper's socket.
    std::string main_with_commands(std::uint16_t port) {
        write_main_config(
            commands_yaml(100, "50/1m", "synced", "        - {action: apply-config}\n") +
            "helper:\n  socket: " + helper_socket().string() + "\n");
        std::string text = read_file(config_path()).value_or("");
        const std::string from = "port: " + std::to_string(broker_->port());
        if (auto at = text.find(from); at != std::string::npos)
            text.replace(at, from.size(), "port: " + std::to_string(port));
        return text;
    }

    void start_helper() {
        auto p = Process::spawn(
            ProcessOptions::of({"systemd-socket-activate", "--accept", "-l",
                                helper_socket().string(), LINTEL_HELPER_BINARY, "--allow-user",
                                "root", "--config-dir", etc().string()})
                .with_stdout(Output::null())
                .with_stderr(Output::to_file(dir_->path() / "helper.log")));
        ASSERT_TRUE(p) << p.error().message;
        activator_ = std::move(*p);
        ASSERT_TRUE(wait_until([&] { return std::filesystem::exists(helper_socket()); }, 5s));
    }

    std::optional<commands::CommandResult> apply(const nlohmann::json& args,
                                                 std::string* id = nullptr,
                                                 std::chrono::milliseconds timeout = 15s) {
        const auto before = results().size();
        auto c = command("apply-config", args);
        if (id != nullptr) *id = c.id;
        send(sign(c, ops_));
        return result_for(c.id, timeout, before);
    }

    std::string meter2_fragment() const {
        return "devices:\n"
               "  - name: meter2\n"
               "    driver: modbus\n"
               "    host: 127.0.0.1\n"
               "    port: " +
               std::to_string(peer_->port()) +
               "\n"
               "    poll_interval: 100ms\n"
               "    points:\n"
               "      - {name: volts, table: input_register, address: 0, type: float32}\n";
    }

    std::string main_text_;
    std::optional<Process> activator_;
};

TEST_F(ApplyConfigTest, AFragmentIsAppliedConfirmedAndItsDevicePolls) {
    start_and_wait_for_commands();
    auto r = apply({{"file", "devices.d/meter2.yaml"}, {"content", meter2_fragment()}});
    ASSERT_TRUE(r) << daemon_log();
    EXPECT_EQ(r->status, commands::ResultStatus::ok) << r->output.dump();
    EXPECT_EQ(r->output.at("changed"), true);
    // Confirmed by the trial (uplink connected, no working device broken), well inside 2 min.
    EXPECT_LT(r->output.at("confirmed_in_ms").get<std::int64_t>(), 120'000);
    std::cerr << "apply-config confirmed in " << r->output.at("confirmed_in_ms") << " ms\n";
    EXPECT_EQ(r->output.at("file"), (etc() / "devices.d/meter2.yaml").string());
    EXPECT_EQ(read_file(etc() / "devices.d/meter2.yaml").value_or(""), meter2_fragment());
    EXPECT_FALSE(std::filesystem::exists(dir_->path() / "config-apply.json"));
    // The new device is running: its points reach the cloud.
    EXPECT_TRUE(wait_until(
        [&] {
            for (const auto& p : received()) {
                if (p.point.at("device") == "meter2") return true;
            }
            return false;
        },
        10s));
    EXPECT_TRUE(wait_until(
        [&] {
            for (const auto& a : audit_records()) {
                if (a.at("action") == "apply-config" && a.at("decision") == "executed") return true;
            }
            return false;
        },
        5s));
}

TEST_F(ApplyConfigTest, AnInvalidFileIsRefusedAndNothingIsWritten) {
    start_and_wait_for_commands();
    const std::string bad =
        "devices:\n  - {name: meter2, driver: modbus, host: 127.0.0.1, colour: red}\n";
    auto r = apply({{"file", "devices.d/meter2.yaml"}, {"content", bad}});
    ASSERT_TRUE(r) << daemon_log();
    EXPECT_EQ(r->status, commands::ResultStatus::rejected);
    EXPECT_EQ(r->reason, std::string(reason::bad_config));
    EXPECT_NE(r->output.dump().find("colour"), std::string::npos) << r->output.dump();
    EXPECT_FALSE(std::filesystem::exists(etc() / "devices.d/meter2.yaml"));

    // A change that would lock the cloud out (the signing key gone) is refused as well.
    std::string locked = main_text_;
    locked.replace(locked.find("{id: ops-1,"), 11, "{id: ops-9,");
    r = apply({{"file", "lintel.yaml"}, {"content", locked}});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->reason, std::string(reason::bad_config));
    EXPECT_NE(r->output.at("error").get<std::string>().find("ops-1"), std::string::npos);
    EXPECT_EQ(read_file(config_path()).value_or(""), main_text_);
}

TEST_F(ApplyConfigTest, AnUplinkThatCannotConnectIsRolledBackAfterTheDeadline) {
    start_and_wait_for_commands();
    const std::string dead = main_with_commands(free_tcp_port());
    std::ofstream(config_path(), std::ios::trunc) << main_text_;  // main_with_commands wrote it
    auto r = apply({{"file", "lintel.yaml"}, {"content", dead}, {"confirm_within", "10s"}}, nullptr,
                   40s);
    ASSERT_TRUE(r) << daemon_log();
    EXPECT_EQ(r->status, commands::ResultStatus::failed) << r->output.dump();
    EXPECT_EQ(r->reason, std::string(reason::rolled_back));
    EXPECT_EQ(r->output.at("rolled_back"), true);
    EXPECT_NE(r->output.at("error").get<std::string>().find("uplink did not connect"),
              std::string::npos);
    EXPECT_EQ(read_file(config_path()).value_or(""), main_text_);
    // The result came back over the restored uplink, and commands still work.
    auto ping = command("ping");
    send(sign(ping, ops_));
    auto pong = result_for(ping.id);
    ASSERT_TRUE(pong);
    EXPECT_EQ(pong->status, commands::ResultStatus::ok);
}

TEST_F(ApplyConfigTest, AKillDuringTheTrialRollsBackAtTheNextStart) {
    start_and_wait_for_commands();
    const std::string dead = main_with_commands(free_tcp_port());
    std::ofstream(config_path(), std::ios::trunc) << main_text_;
    auto c = command("apply-config",
                     {{"file", "lintel.yaml"}, {"content", dead}, {"confirm_within", "10m"}});
    send(sign(c, ops_));
    // On trial: the new file is in place and the journal records the old one.
    ASSERT_TRUE(wait_until([&] { return read_file(config_path()).value_or("") == dead; }, 15s))
        << daemon_log();
    ASSERT_TRUE(std::filesystem::exists(dir_->path() / "config-apply.json"));
    daemon_->kill9();

    start_and_wait_for_commands();
    EXPECT_TRUE(wait_log("restoring the previous one", 5s));
    EXPECT_EQ(read_file(config_path()).value_or(""), main_text_);
    EXPECT_FALSE(std::filesystem::exists(dir_->path() / "config-apply.json"));
    auto r = result_for(c.id, 15s);
    ASSERT_TRUE(r) << daemon_log();
    EXPECT_EQ(r->status, commands::ResultStatus::failed);
    EXPECT_EQ(r->reason, std::string(reason::rolled_back));
}

}  // namespace
}  // namespace lintel::test

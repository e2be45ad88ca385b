// Every lintelctl command against an in-process ControlServer: the table, the --json output,
// what the service was asked, and the exit codes for the daemon's errors.
#include <gtest/gtest.h>

#include <chrono>

#include "control_fixture.hpp"
#include "sample_results.hpp"
#include "support/wait.hpp"

namespace lintel::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

class ControlCommands : public ControlFixture {
protected:
    void SetUp() override {
        ControlFixture::SetUp();
        start_server();
    }
    TestWatchdog dog_{60s, [this] { io_.stop(); }};
};

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

TEST_F(ControlCommands, Status) {
    auto r = ctl({"status"});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.err, "");
    EXPECT_EQ(r.out,
              "gateway       gw-0042\n"
              "version       0.1.0\n"
              "uptime        1d 2h 3m\n"
              "link          connected (broker.example.net:8883)\n"
              "queue         1234 points, 96.0 KiB\n"
              "drops         0\n"
              "certificate   expires in 341 days (2027-10-28T10:00:00Z)\n"
              "last command  reboot at 2026-11-21T10:00:00Z: ok\n"
              "\n"
              "DEVICE   HEALTH   DETAIL\n"
              "meter-1  ok       -\n"
              "boiler   failing  timeout reading registers 0-9, last ok 2026-11-21T10:00:00Z\n"
              "\n"
              "plugins: modbus\n"
              "store_path: /var/lib/lintel/buffer.db\n");

    auto j = ctl({"--json", "status"});
    EXPECT_EQ(j.code, 0) << j.err;
    EXPECT_EQ(j.out, sample_status().dump() + "\n");
    EXPECT_EQ(service_.calls(), (std::vector<std::string>{"status", "status"}));

    const auto seen = requests();
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_EQ(seen[0].uid, ::geteuid());
    EXPECT_GT(seen[0].pid, 0);
    EXPECT_EQ(seen[0].what, "status");
    EXPECT_TRUE(refused().empty());
}

TEST_F(ControlCommands, Queue) {
    auto r = ctl({"queue"});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out,
              "points     1234\n"
              "bytes      96.0 KiB\n"
              "oldest     2026-11-21T10:00:00Z\n"
              "in flight  10\n"
              "drops      2\n"
              "\n"
              "capacity_bytes: 268435456\n");
    // Global options may follow the command too.
    auto j = ctl({"queue", "--json"});
    EXPECT_EQ(j.code, 0) << j.err;
    EXPECT_EQ(j.out, sample_queue().dump() + "\n");
}

TEST_F(ControlCommands, Points) {
    auto r = ctl({"points"});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out,
              "DEVICE   POINT           VALUE  UNIT  QUALITY  TIME\n"
              "meter-1  energy_total  12345.6  kWh   good     2026-11-21T10:00:00Z\n"
              "meter-1  power              -3  kW    good     2026-11-21T10:00:01Z\n"
              "boiler   running          true  -     stale    2026-11-21T09:59:00Z\n");
    auto j = ctl({"--json", "points", "--device", "meter-1"});
    EXPECT_EQ(j.code, 0) << j.err;
    EXPECT_EQ(j.out, sample_points().dump() + "\n");
    EXPECT_EQ(service_.calls(), (std::vector<std::string>{"points", "points device=meter-1"}));
}

TEST_F(ControlCommands, PointsOfAnUnknownDeviceIsTheDaemonsError) {
    service_.answer("points", make_error("control.not_found", "no device named \"pump-9\""));
    auto r = ctl({"points", "--device", "pump-9"});
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(r.err, "lintelctl: no device named \"pump-9\" (control.not_found)\n");
}

TEST_F(ControlCommands, Audit) {
    auto r = ctl({"audit"});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out,
              "TIME                  SOURCE  ACTOR             ACTION  OUTCOME  DETAIL\n"
              "2026-11-21T10:00:00Z  local   uid 0 (pid 4242)  reload  ok       -\n"
              "2026-11-21T10:01:00Z  cloud   ops@example.net   reboot  refused  policy: not in "
              "maintenance window\n"
              "(older entries left out: raise --limit or narrow --since)\n");
    EXPECT_EQ(service_.last_since(), 0);

    const auto before = now_ms();
    auto j = ctl({"--json", "audit", "--since", "1h", "--limit", "20"});
    const auto after = now_ms();
    EXPECT_EQ(j.code, 0) << j.err;
    EXPECT_EQ(j.out, sample_audit().dump() + "\n");
    EXPECT_GE(service_.last_since(), before - 3600 * 1000);
    EXPECT_LE(service_.last_since(), after - 3600 * 1000);

    auto at = ctl({"audit", "--since", "2026-11-21T10:00:00Z"});
    EXPECT_EQ(at.code, 0) << at.err;
    EXPECT_EQ(service_.last_since(), 1795255200000);
    EXPECT_EQ(service_.calls(),
              (std::vector<std::string>{"audit limit=100", "audit limit=20", "audit limit=100"}));
    EXPECT_EQ(requests().at(2).what, "audit since=1795255200000 limit=100");
}

TEST_F(ControlCommands, ConfigCheck) {
    auto ok = ctl({"config", "check"});
    EXPECT_EQ(ok.code, 0) << ok.err;
    EXPECT_EQ(ok.out, "configuration ok\n");

    const json invalid = {
        {"ok", false},
        {"errors", {"/etc/lintel/lintel.yaml:4:3: uplink.port: must be 1..65535"}},
        {"warnings", json::array()}};
    service_.answer("check-config", invalid);
    auto bad = ctl({"config", "check"});
    EXPECT_EQ(bad.code, 1);  // scripts: a failed check is a failure
    EXPECT_EQ(bad.out,
              "configuration invalid (1 error)\n"
              "error: /etc/lintel/lintel.yaml:4:3: uplink.port: must be 1..65535\n");
    auto j = ctl({"--json", "config", "check"});
    EXPECT_EQ(j.code, 1);
    EXPECT_EQ(j.out, invalid.dump() + "\n");
    EXPECT_EQ(service_.calls().size(), 3u);
    EXPECT_EQ(service_.calls().front(), "check-config");
}

TEST_F(ControlCommands, Reload) {
    auto r = ctl({"reload"});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, "configuration reloaded\n");
    auto j = ctl({"reload", "--json"});
    EXPECT_EQ(j.out, "{\"reloaded\":true}\n");

    service_.answer("reload", make_error("config.invalid",
                                         "/etc/lintel/lintel.yaml:4:3: uplink.port: must be "
                                         "1..65535; the running configuration stays"));
    auto rejected = ctl({"reload"});
    EXPECT_EQ(rejected.code, 1);
    EXPECT_EQ(rejected.out, "");
    EXPECT_EQ(rejected.err,
              "lintelctl: /etc/lintel/lintel.yaml:4:3: uplink.port: must be 1..65535; the running "
              "configuration stays (config.invalid)\n");
    // A state change is logged at info, with who asked.
    EXPECT_TRUE(log_.contains("control: reload from uid " + std::to_string(::geteuid()),
                              sdk::LogLevel::info));
}

TEST_F(ControlCommands, LogLevel) {
    auto r = ctl({"log-level", "debug"});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, "log level debug (was info)\n");
    auto j = ctl({"--json", "log-level", "warning"});
    EXPECT_EQ(j.out, "{\"level\":\"debug\",\"previous\":\"info\"}\n");
    EXPECT_EQ(service_.calls(), (std::vector<std::string>{"log-level debug", "log-level warning"}));
}

TEST_F(ControlCommands, AServiceThatThrowsOrAnswersANonObjectIsAnInternalError) {
    service_.throw_on("queue");
    auto thrown = ctl({"queue"});
    EXPECT_EQ(thrown.code, 1);
    EXPECT_EQ(thrown.err,
              "lintelctl: linteld failed to answer: fake failure in queue (control.internal)\n");
    EXPECT_TRUE(log_.contains("control: queue threw: fake failure in queue", sdk::LogLevel::error));
    service_.throw_on("reload", false);
    auto odd_throw = ctl({"reload"});
    EXPECT_EQ(odd_throw.code, 1);
    EXPECT_EQ(odd_throw.err,
              "lintelctl: linteld failed to answer: an unknown exception (control.internal)\n");

    service_.answer("status", json::array({1, 2}));
    auto odd = ctl({"status"});
    EXPECT_EQ(odd.code, 1);
    EXPECT_EQ(odd.err, "lintelctl: linteld's answer was not a JSON object (control.internal)\n");
    // The server keeps serving.
    service_.answer("status", json{{"gateway_id", "gw-1"}});
    EXPECT_EQ(ctl({"status"}).out, "gateway  gw-1\n");
}

TEST_F(ControlCommands, TheServiceMayAnswerLaterAndFromAnotherThread) {
    service_.hold(true);
    Process p = start_ctl({"status"}, 900);
    ASSERT_TRUE(wait_until([&] { return service_.pending() == 1; }, 10s));
    std::thread other([this] { service_.release_all(); });
    other.join();
    auto r = finish(p, 900);
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("gateway       gw-0042"), std::string::npos) << r.out;
}

TEST_F(ControlCommands, BadRequestsGetTheirCodes) {
    auto error_of = [](const std::string& response) {
        auto j = json::parse(response, nullptr, false);
        return j.is_discarded() ? json() : j["error"];
    };
    EXPECT_EQ(error_of(exchange("garbage\n"))["code"], "control.malformed");
    EXPECT_EQ(error_of(exchange("{\"v\":2,\"cmd\":\"status\"}\n"))["code"], "control.bad_version");
    EXPECT_EQ(error_of(exchange("{\"v\":1,\"cmd\":\"reboot\"}\n"))["code"],
              "control.unknown_command");
    EXPECT_EQ(error_of(exchange("{\"v\":1,\"cmd\":\"audit\",\"limit\":0}\n"))["code"],
              "control.bad_args");
    EXPECT_EQ(error_of(exchange("{\"v\":1,\"cmd\":\"status\"", true))["code"], "control.malformed");
    // None reached the service, and each left one warning naming the peer.
    EXPECT_TRUE(service_.calls().empty());
    EXPECT_TRUE(log_.contains("control: reboot from uid", sdk::LogLevel::warning));
    EXPECT_TRUE(log_.contains("control.unknown_command", sdk::LogLevel::warning));
}

TEST_F(ControlCommands, OneRequestPerConnection) {
    const auto response = exchange("{\"v\":1,\"cmd\":\"reload\"}\n{\"v\":1,\"cmd\":\"reload\"}\n");
    EXPECT_EQ(response, "{\"v\":1,\"ok\":true,\"result\":{\"reloaded\":true}}\n");
    EXPECT_EQ(service_.calls(), (std::vector<std::string>{"reload"}));
}

TEST_F(ControlCommands, AProbeThatConnectsAndLeavesIsNoWarning) {
    const int fd = open_raw();
    ASSERT_GE(fd, 0);
    ::close(fd);
    ASSERT_TRUE(log_.wait_for("the peer closed the connection without a request", 5s));
    EXPECT_EQ(server_connections(), 0u);
    EXPECT_FALSE(log_.contains("control: - from uid", sdk::LogLevel::warning));
    EXPECT_EQ(ctl({"reload"}).code, 0);
}

}  // namespace
}  // namespace lintel::test

// lintelctl's tables for sample results, and how unknown or odd fields are shown.
#include "ctl/render.hpp"

#include <gtest/gtest.h>

#include "sample_results.hpp"

namespace lintel::ctl {
namespace {

using nlohmann::json;

TEST(ControlRender, Status) {
    EXPECT_EQ(render_status(test::sample_status()),
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
}

TEST(ControlRender, StatusFieldsOfAnUnexpectedShapeAreShownRaw) {
    const json odd = {{"gateway_id", 42},
                      {"uptime_s", "long"},
                      {"link", {{"reason", "no state"}}},
                      {"certificate", {{"expires_in_days", 5}}},
                      {"last_command", nullptr},
                      {"devices", json::array()}};
    EXPECT_EQ(render_status(odd),
              "certificate   expires in 5 days, renew soon\n"
              "last command  none\n"
              "\n"
              "no devices configured\n"
              "\n"
              "gateway_id: 42\n"
              "link: {\"reason\":\"no state\"}\n"
              "uptime_s: long\n");
    EXPECT_EQ(render_status({{"certificate", {{"expires_in_days", -3}, {"not_after", 0}}}}),
              "certificate  EXPIRED 3 days ago (1970-01-01T00:00:00Z)\n");
}

TEST(ControlRender, StatusShowsValuesSuppressedByReportByException) {
    EXPECT_EQ(render_status({{"points_suppressed", 1234}}),
              "suppressed  1234 values (report by exception)\n");
}

TEST(ControlRender, StatusShowsDeliveredCredentialsMetadata) {
    const json status = {
        {"credentials",
         {{{"interface", "eth1"},
           {"type", "wired"},
           {"state", "authorized"},
           {"since", 1795255200000},
           {"attached", true},
           {"bundle_id", "cred-7"},
           {"method", "eap-tls"},
           {"identity", "gw-1"},
           {"client_cert_not_after", 1826791200000},
           {"client_cert_subject", "CN = gw-1"},
           {"last_result",
            {{"command_id", "c-1"}, {"outcome", "failed"}, {"reason", "cred.rolled_back"}}}},
          {{"interface", "wlan0"},
           {"type", "wifi"},
           {"state", "unknown"},
           {"since", 0},
           {"attached", false},
           {"bundle_id", nullptr},
           {"last_result", nullptr}}}}};
    EXPECT_EQ(render_status(status),
              "credentials eth1   authorized since 2026-11-21T10:00:00Z, wired, bundle cred-7 "
              "(eap-tls), identity gw-1, client cert until 2027-11-21T10:00:00Z; last "
              "set-credentials failed (cred.rolled_back)\n"
              "credentials wlan0  unknown, wifi, wpa_supplicant not reachable\n");
    EXPECT_EQ(render_status({{"credentials", nullptr}}), "");
}

TEST(ControlRender, Queue) {
    EXPECT_EQ(render_queue(test::sample_queue()),
              "points     1234\n"
              "bytes      96.0 KiB\n"
              "oldest     2026-11-21T10:00:00Z\n"
              "in flight  10\n"
              "drops      2\n"
              "\n"
              "capacity_bytes: 268435456\n");
    EXPECT_EQ(render_queue({{"points", 0}, {"bytes", 0}, {"oldest_ts", nullptr}}),
              "points  0\n"
              "bytes   0 B\n"
              "oldest  -\n");
}

TEST(ControlRender, Points) {
    EXPECT_EQ(render_points(test::sample_points()),
              "DEVICE   POINT           VALUE  UNIT  QUALITY  TIME\n"
              "meter-1  energy_total  12345.6  kWh   good     2026-11-21T10:00:00Z\n"
              "meter-1  power              -3  kW    good     2026-11-21T10:00:01Z\n"
              "boiler   running          true  -     stale    2026-11-21T09:59:00Z\n");
    EXPECT_EQ(render_points({{"points", json::array()}}), "no points\n");
}

TEST(ControlRender, Audit) {
    EXPECT_EQ(render_audit(test::sample_audit()),
              "TIME                  SOURCE  ACTOR             ACTION  OUTCOME  DETAIL\n"
              "2026-11-21T10:00:00Z  local   uid 0 (pid 4242)  reload  ok       -\n"
              "2026-11-21T10:01:00Z  cloud   ops@example.net   reboot  refused  policy: not in "
              "maintenance window\n"
              "(older entries left out: raise --limit or narrow --since)\n");
    EXPECT_EQ(render_audit({{"entries", json::array()}, {"more", false}}), "no audit entries\n");
}

TEST(ControlRender, CheckConfig) {
    EXPECT_EQ(render_check_config({{"ok", true}, {"errors", json::array()}}), "configuration ok\n");
    EXPECT_EQ(render_check_config({{"ok", true},
                                   {"errors", json::array()},
                                   {"warnings", {"/etc/lintel/pki/gateway.key is missing"}}}),
              "configuration ok (1 warning)\n"
              "warning: /etc/lintel/pki/gateway.key is missing\n");
    const json bad = {{"ok", false},
                      {"errors",
                       {"/etc/lintel/lintel.yaml:4:3: uplink.port: must be 1..65535",
                        {{"file", "/etc/lintel/devices.d/m.yaml"},
                         {"line", 2},
                         {"column", 1},
                         {"key", "poll"},
                         {"message", "unknown key"}}}}};
    EXPECT_EQ(render_check_config(bad),
              "configuration invalid (2 errors)\n"
              "error: /etc/lintel/lintel.yaml:4:3: uplink.port: must be 1..65535\n"
              "error: /etc/lintel/devices.d/m.yaml:2:1: poll: unknown key\n");
    EXPECT_TRUE(config_check_failed(bad));
    EXPECT_FALSE(config_check_failed({{"ok", true}}));
    EXPECT_FALSE(config_check_failed(json::object()));
}

TEST(ControlRender, ReloadAndLogLevel) {
    EXPECT_EQ(render_reload({{"reloaded", true}, {"changed", {"uplink", "devices"}}}),
              "configuration reloaded\n\nchanged: uplink, devices\n");
    EXPECT_EQ(render_log_level({{"level", "debug"}, {"previous", "info"}}),
              "log level debug (was info)\n");
    // Nothing known, nothing at all: still an answer on the screen.
    EXPECT_EQ(render(control::Command::reload, json::object()), "ok\n");
}

TEST(ControlRender, TerminalControlsFromTheDaemonAreDefused) {
    EXPECT_EQ(terminal_safe("ok\x1b[2J\r\n\x7f"), "ok?[2J???");
    EXPECT_EQ(terminal_safe("csi \xc2\x9b"
                            "31m"),
              "csi ?31m");
    EXPECT_EQ(terminal_safe("z\xc3\xa4hler \xc2\xb0"
                            "C"),
              "z\xc3\xa4hler \xc2\xb0"
              "C");
    const json points = {{"points", {{{"device", "m\x1b]0;pwned\x07"}, {"point", "p"}}}}};
    const auto out = render_points(points);
    EXPECT_EQ(out.find('\x1b'), std::string::npos);
    EXPECT_EQ(out.find('\x07'), std::string::npos);
}

TEST(ControlRender, TablesAlignByCharactersNotBytes) {
    EXPECT_EQ(render_table({"A", "B"}, {{"z\xc3\xa4hler", "1"}, {"x", "2"}}),
              "A       B\n"
              "z\xc3\xa4hler  1\n"
              "x       2\n");
    EXPECT_EQ(render_table({"N", "V"}, {{"a", "1"}, {"b", "100"}}, {false, true}),
              "N    V\n"
              "a    1\n"
              "b  100\n");
}

}  // namespace
}  // namespace lintel::ctl

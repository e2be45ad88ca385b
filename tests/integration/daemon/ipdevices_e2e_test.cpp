// IP devices through the real linteld: an http device (the JSON server in tests/support playing a
// smart plug) is polled into telemetry, and a signed write-point command reaches it as the
// rendered request. The drivers' own behaviour is tested in tests/integration/ipdevices.
#include "commands_fixture.hpp"
#include "support/json_http_server.hpp"

namespace lintel::test {
namespace {

TEST_F(CommandsTest, HttpDeviceIsPolledAndWritePointReachesItThroughLinteld) {
    auto server = JsonHttpServer::start({});
    ASSERT_TRUE(server) << server.error().message;
    (*server)->set("/status", {200, R"({"power": {"on": false}, "watts": 12.5})"});
    (*server)->set("/set", {200, "{}"});
    write_main_config(
        commands_yaml(100, "50/1m", "synced",
                      "        - {action: write-point, devices: [plug], points: [relay]}\n"));
    write_devices(
        "devices:\n"
        "  - name: plug\n"
        "    driver: http\n"
        "    url: " +
        (*server)->url("/status") +
        "\n"
        "    poll_interval: 200ms\n"
        "    timeout: 2s\n"
        "    points:\n"
        "      - {name: watts, pointer: /watts, unit: W}\n"
        "      - name: relay\n"
        "        pointer: /power/on\n"
        "        type: bool\n"
        "        writable: true\n"
        "        write: {method: POST, url: '" +
        (*server)->url("/set") + "', body: '{\"on\": {{value}}, \"by\": \"{{device}}\"}'}\n");
    start_and_wait_for_commands();
    ASSERT_TRUE(wait_until(
        [&] {
            auto v = latest("watts");
            return v && v->at("value") == 12.5 && v->at("device") == "plug";
        },
        10s))
        << daemon_log();

    auto c = command("write-point", {{"device", "plug"}, {"point", "relay"}, {"value", true}});
    send(sign(c, ops_));
    auto r = result_for(c.id);
    ASSERT_TRUE(r) << daemon_log();
    EXPECT_EQ(r->status, commands::ResultStatus::ok) << r->output.dump();
    ASSERT_EQ((*server)->count("/set"), 1u);
    for (const auto& q : (*server)->requests()) {
        if (q.target != "/set") continue;
        EXPECT_EQ(q.method, "POST");
        EXPECT_EQ(nlohmann::json::parse(q.body), (nlohmann::json{{"on", true}, {"by", "plug"}}));
    }

    // A value the point cannot take is refused by the driver, and nothing is sent.
    auto bad = command("write-point", {{"device", "plug"}, {"point", "relay"}, {"value", "on"}});
    send(sign(bad, ops_));
    auto refused = result_for(bad.id);
    ASSERT_TRUE(refused);
    EXPECT_NE(refused->status, commands::ResultStatus::ok);
    EXPECT_EQ((*server)->count("/set"), 1u);
}

}  // namespace
}  // namespace lintel::test

// lintel-helper end to end: the real binary behind systemd-socket-activate --accept, asked by
// HelperClient (the class linteld uses), by raw sockets, and by a client of another uid.
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <vector>

#include <boost/asio/local/stream_protocol.hpp>
#include <nlohmann/json.hpp>

#include "helper/helper_client.hpp"
#include "helper/protocol.hpp"
#include "helper_fixture.hpp"
#include "support/asio_run.hpp"
#include "support/files.hpp"
#include "support/wait.hpp"

namespace lintel::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using helper::HelperClient;

class HelperE2e : public HelperFixture {
protected:
    // One call through HelperClient, run to completion on the test thread.
    Expected<nlohmann::json> call(const std::string& action, const std::filesystem::path& path = {},
                                  std::chrono::milliseconds deadline = 5s) {
        return call_with(action, nlohmann::json::object(), path, deadline);
    }
    Expected<nlohmann::json> call_with(const std::string& action, const nlohmann::json& params,
                                       const std::filesystem::path& path = {},
                                       std::chrono::milliseconds deadline = 5s) {
        HelperClient client(io_.get_executor(), path.empty() ? socket_path() : path);
        std::optional<Expected<nlohmann::json>> result;
        client.async_call(action, params, deadline,
                          [&](Expected<nlohmann::json> r) { result = r; });
        EXPECT_TRUE(run_until(
            io_, [&] { return result.has_value(); }, deadline + 5s));
        if (!result) return make_error("test.hang", "no completion");
        return *result;
    }

    // The error object of a raw response line.
    static nlohmann::json error_of(const std::string& response) {
        auto j = nlohmann::json::parse(response, nullptr, false);
        if (j.is_discarded() || !j.contains("error")) return nlohmann::json{{"code", "?"}};
        return j["error"];
    }

    asio::io_context io_;
    TestWatchdog dog_{60s, [this] { io_.stop(); }};
};

TEST_F(HelperE2e, VersionReportsHelperAndInstalledPackage) {
    make_admindir("9.8.7");
    start_helper();
    auto r = call("version");
    ASSERT_TRUE(r) << r.error().code << ": " << r.error().message;
    EXPECT_EQ(r->at("helper_version"), LINTEL_HELPER_EXPECTED_VERSION);
    EXPECT_EQ(r->at("package"), "lintel");
    EXPECT_EQ(r->at("package_version"), "9.8.7");
    EXPECT_EQ(r->at("package_status"), "installed");
    EXPECT_TRUE(wait_for_log("request served: uid=0 pid="));
    EXPECT_NE(helper_log().find("action=\"version\" outcome=ok"), std::string::npos);
}

TEST_F(HelperE2e, ExactBytesOnTheWire) {
    make_admindir("9.8.7");
    start_helper();
    EXPECT_EQ(exchange("{\"v\":1,\"action\":\"version\"}\n"),
              std::string("{\"v\":1,\"ok\":true,\"result\":{\"helper_version\":\"") +
                  LINTEL_HELPER_EXPECTED_VERSION +
                  "\",\"package\":\"lintel\",\"package_version\":\"9.8.7\","
                  "\"package_status\":\"installed\"}}\n");
}

TEST_F(HelperE2e, NoLintelStanzaIsNotInstalled) {
    make_admindir(std::nullopt);
    start_helper();
    auto r = call("version");
    ASSERT_TRUE(r) << r.error().code << ": " << r.error().message;
    EXPECT_TRUE(r->at("package_version").is_null());
    EXPECT_EQ(r->at("package_status"), "not-installed");
}

TEST_F(HelperE2e, AMissingDpkgDatabaseIsAnInternalErrorNotNotInstalled) {
    start_helper();  // admindir() was never created
    auto r = call("version");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "helper.internal");
    EXPECT_NE(r.error().message.find(admindir().string() + "/status"), std::string::npos)
        << r.error().message;
}

TEST_F(HelperE2e, AnotherUidIsRefusedAndLogged) {
    make_admindir("9.8.7");
    start_helper();
    open_socket_to_everyone();
    const auto response = exchange_as(65534, 65534, "{\"v\":1,\"action\":\"version\"}\n");
    EXPECT_EQ(response,
              "{\"v\":1,\"ok\":false,\"error\":{\"code\":\"helper.peer_refused\",\"message\":"
              "\"uid 65534 is not allowed to use lintel-helper\"}}\n");
    ASSERT_TRUE(wait_for_log("request refused: uid=65534 pid="));
    EXPECT_NE(helper_log().find("action=\"version\" outcome=helper.peer_refused"),
              std::string::npos);
    // Refused whatever it sends: the refusal does not depend on the request being valid.
    EXPECT_EQ(error_of(exchange_as(65534, 65534, "garbage\n"))["code"], "helper.peer_refused");
    // Root is still served on the same socket.
    EXPECT_TRUE(call("version"));
}

TEST_F(HelperE2e, AllowUserAdmitsThatUser) {
    make_admindir("9.8.7");
    start_helper({"--allow-user", "nobody"});  // the later option wins
    open_socket_to_everyone();
    auto j = nlohmann::json::parse(exchange_as(65534, 65534, "{\"v\":1,\"action\":\"version\"}\n"),
                                   nullptr, false);
    ASSERT_TRUE(j.is_object());
    EXPECT_EQ(j["ok"], true) << j.dump();
    EXPECT_TRUE(wait_for_log("request served: uid=65534"));
}

TEST_F(HelperE2e, MalformedRequestIsRefusedWithItsCode) {
    make_admindir("9.8.7");
    start_helper();
    EXPECT_EQ(error_of(exchange("{\"v\":1,\"action\":\"version\",\"x\":1}\n"))["code"],
              "helper.malformed");
    EXPECT_EQ(error_of(exchange("not json\n"))["code"], "helper.malformed");
    EXPECT_EQ(error_of(exchange("{\"v\":1,\"action\":\"version\"}", true))["code"],
              "helper.malformed");  // no newline, then EOF
    EXPECT_EQ(error_of(exchange("{\"v\":7,\"action\":\"version\"}\n"))["code"],
              "helper.bad_version");
    EXPECT_EQ(error_of(exchange(std::string(400'000, 'x')))["code"], "helper.too_large");
    EXPECT_TRUE(wait_for_log("outcome=helper.too_large"));
    EXPECT_NE(helper_log().find("action=\"version\" outcome=helper.bad_version"),
              std::string::npos);
}

TEST_F(HelperE2e, UnknownActionComesBackThroughTheClient) {
    make_admindir("9.8.7");
    start_helper();
    auto r = call("reboot");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "helper.unknown_action");
    EXPECT_EQ(r.error().message,
              "unknown action \"reboot\" (this helper knows: version, write-config, "
              "ota-installed-version, ota-install, ota-commit, ota-rollback, ota-reboot, "
              "wpa-config)");
    EXPECT_TRUE(wait_for_log("action=\"reboot\" outcome=helper.unknown_action"));
}

TEST_F(HelperE2e, WriteConfigRoundTripInItsConfigDir) {
    const std::filesystem::path config = dir_ / "etc";
    std::filesystem::create_directory(config);
    ASSERT_TRUE(write_file(config / "lintel.yaml", "gateway:\n  id: gw-1\n"));
    make_admindir("9.8.7");
    start_helper({"--config-dir", config.string()});

    const std::string fragment = "devices:\n  - name: meter-1\n";
    auto written =
        call_with("write-config", {{"file", "devices.d/meter-1.yaml"}, {"content", fragment}});
    ASSERT_TRUE(written) << written.error().code << ": " << written.error().message;
    const auto file = config / "devices.d" / "meter-1.yaml";
    EXPECT_EQ(written->at("file"), file.string());
    EXPECT_EQ(written->at("bytes"), fragment.size());
    EXPECT_EQ(written->at("sha256"),
              "a08ec97441420bb33dc33738392bee4d00945ec49cbcd77357aa634eaed71ccc");
    EXPECT_EQ(read_file(file).value_or("?"), fragment);
    struct stat st {};
    ASSERT_EQ(::stat(file.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0644u);
    EXPECT_TRUE(wait_for_log("write-config: created " + file.string() + " (" +
                             std::to_string(fragment.size()) + " bytes, sha256 a08ec974"));
    EXPECT_TRUE(wait_for_log("request served: uid=0"));
    EXPECT_NE(helper_log().find("action=\"write-config\" outcome=ok"), std::string::npos);

    // A path outside the two allowed ones is refused over the wire too, and nothing changes.
    auto outside = call_with("write-config", {{"file", "../passwd"}, {"content", "x"}});
    ASSERT_FALSE(outside);
    EXPECT_EQ(outside.error().code, "helper.bad_params");
    EXPECT_FALSE(std::filesystem::exists(dir_ / "passwd"));

    auto removed =
        call_with("write-config", {{"file", "devices.d/meter-1.yaml"}, {"remove", true}});
    ASSERT_TRUE(removed) << removed.error().code << ": " << removed.error().message;
    EXPECT_EQ(removed->at("removed"), true);
    EXPECT_FALSE(std::filesystem::exists(file));
    EXPECT_EQ(read_file(config / "lintel.yaml").value_or("?"), "gateway:\n  id: gw-1\n");
}

TEST_F(HelperE2e, IdleClientGetsTimeoutAtTheReadDeadline) {
    make_admindir("9.8.7");
    start_helper();  // --read-timeout 300ms
    const auto start = Clock::now();
    const auto response = exchange("", false, 5s);
    const auto took = Clock::now() - start;
    EXPECT_EQ(error_of(response)["code"], "helper.timeout") << response;
    EXPECT_GE(took, 300ms);
    EXPECT_LT(took, 3s);
}

TEST_F(HelperE2e, ConcurrentClientsEachGetAnAnswer) {
    make_admindir("9.8.7");
    start_helper();
    HelperClient client(io_.get_executor(), socket_path());
    constexpr std::size_t k_clients = 8;
    std::vector<std::optional<Expected<nlohmann::json>>> results(k_clients);
    for (std::size_t i = 0; i < k_clients; ++i) {
        client.async_call(i % 2 == 0 ? "version" : "nope", 10s,
                          [&results, i](Expected<nlohmann::json> r) { results[i] = r; });
    }
    ASSERT_TRUE(run_until(
        io_,
        [&] {
            for (const auto& r : results)
                if (!r) return false;
            return true;
        },
        20s));
    for (std::size_t i = 0; i < k_clients; ++i) {
        if (i % 2 == 0) {
            ASSERT_TRUE(*results[i]) << i << ": " << results[i]->error().message;
            EXPECT_EQ((*results[i])->at("package_version"), "9.8.7");
        } else {
            ASSERT_FALSE(*results[i]);
            EXPECT_EQ(results[i]->error().code, "helper.unknown_action");
        }
    }
}

TEST_F(HelperE2e, ClientReportsUnreachableAndItsOwnDeadline) {
    auto missing = call("version", dir_ / "absent.sock");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, helper::client_codes::unreachable);
    EXPECT_NE(missing.error().message.find("absent.sock"), std::string::npos);

    // A listener that never accepts: connect and write succeed, no answer ever comes.
    asio::local::stream_protocol::acceptor silent(
        io_, asio::local::stream_protocol::endpoint((dir_ / "silent.sock").string()));
    const auto start = Clock::now();
    auto late = call("version", dir_ / "silent.sock", 200ms);
    ASSERT_FALSE(late);
    EXPECT_EQ(late.error().code, helper::client_codes::timeout);
    EXPECT_LT(Clock::now() - start, 3s);
}

}  // namespace
}  // namespace lintel::test

// Integration tests: the http device against a real local HTTP(S) server (support/
// json_http_server.hpp) with a fake host recording what it publishes: mapping, bad payloads,
// error statuses, slow answers, basic auth, TLS verification, writes end to end.
#include "lintel/asio.hpp"  // first: the <utility> prelude asio needs

#include <gtest/gtest.h>

#include <optional>

#include "core/yaml_loader.hpp"
#include "driver.hpp"
#include "support/asio_run.hpp"
#include "support/device_test_loop.hpp"
#include "support/fake_device_host.hpp"
#include "support/files.hpp"
#include "support/json_http_server.hpp"
#include "support/pki.hpp"
#include "support/watchdog.hpp"

namespace lintel::http {
namespace {

using namespace std::chrono_literals;
using lintel::test::FakeHost;
using lintel::test::JsonHttpServer;
using lintel::test::JsonReply;
using sdk::Health;
using sdk::Quality;
using sdk::Value;

const std::string k_points = R"(
points:
  - {name: temp, pointer: /data/temp, type: float, unit: degC, timestamp: /data/ts}
  - {name: power, pointer: /meters/0/power, type: int, scale: 0.1, unit: W}
  - {name: relay, pointer: /relay/on, type: bool, writable: true,
     write: {method: POST, url: "URL/relay", body: '{"on": {{value}}, "by": "{{device}}"}'}}
  - {name: mode, pointer: /mode, type: string, writable: true,
     write: {method: GET, url: "URL/set?mode={{text}}"}}
  - {name: setpoint, pointer: /setpoint, type: float, writable: true, min: 5, max: 30,
     write: {method: PUT, url: "URL/setpoint", body: '{"value": {{value}}}'}}
)";

const std::string k_good = R"({"data":{"temp":21.5,"ts":"2026-11-22T10:15:00Z"},
  "meters":[{"power":1234}],"relay":{"on":true},"mode":"eco","setpoint":20.5})";

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
    for (auto pos = text.find(from); pos != std::string::npos;
         pos = text.find(from, pos + to.size()))
        text.replace(pos, from.size(), to);
    return text;
}

class HttpDeviceTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto s = JsonHttpServer::start({});
        ASSERT_TRUE(s) << s.error().message;
        server_ = std::move(*s);
        server_->set("/status", JsonReply{200, k_good, {}});
        for (const char* path : {"/relay", "/set", "/setpoint"})
            server_->set(path, JsonReply{200, "{}", {}});
    }

    // `settings` may use URL for the server's base URL.
    std::unique_ptr<sdk::Device> make(const std::string& settings, JsonHttpServer& server,
                                      std::string* errors_out = nullptr) {
        const std::string yaml = replace_all(settings, "URL", server.url(""));
        sdk::ConfigErrors errors;
        auto root = core::load_yaml_string(yaml, "devices.d/plug.yaml", errors);
        std::unique_ptr<sdk::Device> device;
        if (root) device = driver_.create(sdk::DeviceSpec{"plug", *root}, host_, errors);
        if (errors_out != nullptr) *errors_out = errors.to_string();
        if (errors_out == nullptr) {
            EXPECT_TRUE(device) << errors.to_string();
        }
        return device;
    }

    std::unique_ptr<sdk::Device> make_default(const std::string& extra = "") {
        return make("url: URL/status\npoll_interval: 100ms\ntimeout: 500ms\n" + extra + k_points,
                    *server_);
    }

    bool run_until(const std::function<bool()>& predicate,
                   std::chrono::milliseconds timeout = 10s) {
        return lintel::test::run_until(io_, predicate, timeout);
    }

    // Runs a write to completion on the loop; the result of `done`.
    Expected<void> write(sdk::Device& device, const std::string& point, Value value) {
        return lintel::test::write_and_wait(io_, device, point, value);
    }

    void stop_and_drain(sdk::Device& device) { lintel::test::stop_and_drain(io_, device); }

    asio::io_context io_;
    lintel::test::TestWatchdog dog_{90s, [this] { io_.stop(); }};
    FakeHost host_{io_, "plug"};
    HttpDriver driver_;
    std::unique_ptr<JsonHttpServer> server_;
};

TEST_F(HttpDeviceTest, PollsAndMapsEveryPoint) {
    auto device = make_default();
    ASSERT_TRUE(device);
    device->start();
    ASSERT_TRUE(
        run_until([&] { return host_.has_good("setpoint") && server_->count("/status") >= 3; }));
    EXPECT_EQ(host_.latest("temp")->value, Value(21.5));
    EXPECT_EQ(host_.latest("temp")->unit, "degC");
    EXPECT_EQ(host_.latest("temp")->ts_ms, 1795342500000);  // from the payload's timestamp
    EXPECT_DOUBLE_EQ(std::get<double>(host_.latest("power")->value), 123.4);
    EXPECT_EQ(host_.latest("relay")->value, Value(true));
    EXPECT_EQ(host_.latest("mode")->value, Value(std::string("eco")));
    EXPECT_EQ(host_.health(), Health::ok);
    EXPECT_EQ(host_.reports_of(Health::ok), 1U);  // reported once, not per poll
    EXPECT_EQ(host_.writable.size(), 3U);
    EXPECT_EQ(server_->requests().front().method, "GET");
    stop_and_drain(*device);
}

TEST_F(HttpDeviceTest, BadPayloadsGiveQualityErrorAndNeverStopThePlugin) {
    auto device = make_default();
    ASSERT_TRUE(device);
    device->start();
    ASSERT_TRUE(run_until([&] { return host_.health() == Health::ok; }));

    server_->set("/status", JsonReply{200, R"({"data":{"temp":)", {}});
    ASSERT_TRUE(run_until([&] { return host_.latest_is("temp", Quality::error); }));
    EXPECT_TRUE(host_.latest_is("relay", Quality::error));
    EXPECT_EQ(host_.health(), Health::degraded);
    EXPECT_EQ(host_.logs().count("ERROR=mapping.not_json"), 1U);  // one line, not one per point

    // Missing field and wrong type: only those points fail, with a clear line each.
    server_->set("/status",
                 JsonReply{200,
                           replace_all(replace_all(k_good, "\"power\":1234", "\"watts\":1"), "21.5",
                                       "\"21.5\""),
                           {}});
    ASSERT_TRUE(run_until([&] { return host_.has_good("relay"); }));
    EXPECT_TRUE(host_.latest_is("power", Quality::error));
    EXPECT_TRUE(host_.latest_is("temp", Quality::error));
    EXPECT_TRUE(host_.logs().contains("point power from"));
    EXPECT_TRUE(host_.logs().contains("no value at /meters/0/power"));
    EXPECT_TRUE(host_.logs().contains("value at /data/temp is a string, expected float"));
    const std::size_t lines = host_.logs().count("no value at /meters/0/power");
    lintel::test::run_for(io_, 400ms);  // more polls, same reason: logged once
    EXPECT_EQ(host_.logs().count("no value at /meters/0/power"), lines);

    server_->set("/status", JsonReply{200, k_good, {}});
    ASSERT_TRUE(run_until([&] { return host_.health() == Health::ok; }));
    EXPECT_TRUE(host_.has_good("power"));
    EXPECT_TRUE(host_.logs().contains("point power from"));
    stop_and_drain(*device);
}

TEST_F(HttpDeviceTest, ErrorStatusAndSlowAnswersAreDown) {
    auto device = make_default();
    ASSERT_TRUE(device);
    device->start();
    ASSERT_TRUE(run_until([&] { return host_.health() == Health::ok; }));

    server_->set("/status", JsonReply{500, "oops", {}});
    ASSERT_TRUE(run_until([&] { return host_.health() == Health::down; }));
    EXPECT_TRUE(host_.latest_is("temp", Quality::error));
    EXPECT_TRUE(host_.logs().contains("answered HTTP 500 to the poll"));
    EXPECT_TRUE(host_.logs().contains("ERROR=http.status"));

    server_->set("/status", JsonReply{200, k_good, {}});
    ASSERT_TRUE(run_until([&] { return host_.health() == Health::ok; }));

    server_->set("/status", JsonReply{200, k_good, 1500ms});  // timeout is 500ms
    ASSERT_TRUE(run_until([&] { return host_.health() == Health::down; }));
    EXPECT_TRUE(host_.logs().contains("ERROR=http.timeout"));
    server_->set("/status", JsonReply{200, k_good, {}});
    ASSERT_TRUE(run_until([&] { return host_.health() == Health::ok; }));
    stop_and_drain(*device);
}

TEST_F(HttpDeviceTest, NoServerIsDownAndStopIsPrompt) {
    const std::string url = server_->url("/status");
    server_.reset();  // nothing listens on that port any more
    auto s = JsonHttpServer::start({});
    ASSERT_TRUE(s);
    std::string yaml = "url: " + url + "\npoll_interval: 100ms\n" + k_points;
    auto device = make(yaml, **s);
    ASSERT_TRUE(device);
    device->start();
    ASSERT_TRUE(run_until([&] { return host_.health() == Health::down; }));
    EXPECT_TRUE(host_.logs().contains("ERROR=http.connect"));
    stop_and_drain(*device);
}

TEST_F(HttpDeviceTest, WritesEndToEnd) {
    auto device = make_default();
    ASSERT_TRUE(device);
    device->start();
    ASSERT_TRUE(run_until([&] { return host_.health() == Health::ok; }));

    ASSERT_TRUE(write(*device, "relay", Value(false)));
    ASSERT_TRUE(write(*device, "mode", Value(std::string("away & back"))));
    ASSERT_TRUE(write(*device, "setpoint", Value(std::int64_t{22})));
    std::vector<lintel::test::ServedRequest> writes;
    for (const auto& r : server_->requests()) {
        if (r.target.rfind("/status", 0) != 0) writes.push_back(r);
    }
    ASSERT_EQ(writes.size(), 3U);
    EXPECT_EQ(writes[0].method, "POST");
    EXPECT_EQ(writes[0].body, R"({"on": false, "by": "plug"})");
    EXPECT_EQ(writes[1].method, "GET");
    EXPECT_EQ(writes[1].target, "/set?mode=away%20%26%20back");
    EXPECT_EQ(writes[2].method, "PUT");
    EXPECT_EQ(writes[2].body, R"({"value": 22.0})");

    EXPECT_EQ(write(*device, "setpoint", Value(40.0)).error().code, "write.range");
    EXPECT_EQ(write(*device, "relay", Value(std::string("on"))).error().code, "write.type");
    EXPECT_EQ(write(*device, "temp", Value(1.0)).error().code, "write.not_writable");
    EXPECT_EQ(write(*device, "nope", Value(1.0)).error().code, "http.unknown_point");
    server_->set("/relay", JsonReply{503, "busy", {}});
    auto refused = write(*device, "relay", Value(true));
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, "http.write_status");
    EXPECT_NE(refused.error().message.find("HTTP 503"), std::string::npos);
    stop_and_drain(*device);
}

TEST_F(HttpDeviceTest, BasicAuthFromA0600FileNeverLogged) {
    lintel::test::TempDir dir("lintel-http");
    const auto secret = dir / "password";
    ASSERT_TRUE(lintel::test::write_file(secret, "s3cret-pass\n", 0600));
    auto device =
        make_default("basic_auth: {username: admin, password_file: " + secret.string() + "}\n");
    ASSERT_TRUE(device);
    device->start();
    ASSERT_TRUE(run_until([&] { return host_.health() == Health::ok; }));
    // base64("admin:s3cret-pass")
    EXPECT_EQ(server_->requests().front().authorization, "Basic YWRtaW46czNjcmV0LXBhc3M=");

    ASSERT_TRUE(lintel::test::write_file(secret, "s3cret-pass\n", 0644));
    ASSERT_TRUE(run_until([&] { return host_.health() == Health::down; }));
    EXPECT_TRUE(host_.logs().contains("ERROR=http.password_file"));
    EXPECT_TRUE(host_.logs().contains("chmod 0600"));
    for (const auto& line : host_.logs().lines()) {
        EXPECT_EQ(line.text().find("s3cret"), std::string::npos) << line.text();
        EXPECT_EQ(line.text().find("YWRtaW46"), std::string::npos) << line.text();
    }
    stop_and_drain(*device);
}

class HttpsDeviceTest : public HttpDeviceTest {
protected:
    static void SetUpTestSuite() {
        pki_dir_.emplace("lintel-http-pki");
        auto generated = lintel::test::Pki::generate(pki_dir_->path() / "pki", "gw-http");
        ASSERT_TRUE(generated) << generated.error().message;
        pki_ = *generated;
    }
    static void TearDownTestSuite() { pki_dir_.reset(); }

    std::unique_ptr<JsonHttpServer> https_server(const lintel::test::CertKey& cert) {
        auto s = JsonHttpServer::start({cert.cert, cert.key});
        EXPECT_TRUE(s) << s.error().message;
        if (!s) return nullptr;
        (*s)->set("/status", JsonReply{200, k_good, {}});
        return std::move(*s);
    }

    std::string tls_yaml(const std::string& tls) {
        return "url: URL/status\npoll_interval: 100ms\ntimeout: 1s\ntls: " + tls +
               "\npoints:\n  - {name: temp, pointer: /data/temp}\n";
    }

    static inline std::optional<lintel::test::TempDir> pki_dir_;
    static inline lintel::test::Pki pki_;
};

TEST_F(HttpsDeviceTest, VerifiesTheServerAgainstTheCa) {
    auto server = https_server(pki_.server);
    ASSERT_TRUE(server);
    auto device = make(tls_yaml("{ca_file: " + pki_.ca_cert.string() + "}"), *server);
    ASSERT_TRUE(device);
    device->start();
    ASSERT_TRUE(run_until([&] { return host_.has_good("temp"); }));
    EXPECT_EQ(host_.health(), Health::ok);
    stop_and_drain(*device);
}

TEST_F(HttpsDeviceTest, RefusesAServerFromAnotherCaOrForAnotherName) {
    for (const auto* cert : {&pki_.rogue_server, &pki_.wrong_name}) {
        auto server = https_server(*cert);
        ASSERT_TRUE(server);
        FakeHost host(io_, "plug");
        const std::string yaml = replace_all(tls_yaml("{ca_file: " + pki_.ca_cert.string() + "}"),
                                             "URL", server->url(""));
        sdk::ConfigErrors errors;
        auto root = core::load_yaml_string(yaml, "plug.yaml", errors);
        ASSERT_TRUE(root);
        auto device = driver_.create(sdk::DeviceSpec{"plug", *root}, host, errors);
        ASSERT_TRUE(device) << errors.to_string();
        device->start();
        ASSERT_TRUE(run_until([&] { return host.health() == Health::down; }));
        EXPECT_TRUE(host.logs().contains("ERROR=http.tls")) << cert->cert;
        EXPECT_TRUE(host.logs().contains("is not trusted"));
        EXPECT_EQ(server->count("/status"), 0U);  // no request reached the impostor
        stop_and_drain(*device);
    }
}

TEST_F(HttpsDeviceTest, InsecureAcceptsAnyCertificate) {
    auto server = https_server(pki_.rogue_server);
    ASSERT_TRUE(server);
    auto device = make(tls_yaml("{insecure: true}"), *server);
    ASSERT_TRUE(device);
    device->start();
    ASSERT_TRUE(run_until([&] { return host_.has_good("temp"); }));
    stop_and_drain(*device);
}

}  // namespace
}  // namespace lintel::http

// End-to-end fixture: a generated PKI, a real mosquitto (mTLS, ACL %u, CRL), a pymodbus peer,
// an observer subscribed as the cloud, and linteld itself as a child process.
#pragma once

#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>

#include "../modbus/peer.hpp"
#include "notify_listener.hpp"
#include "support/files.hpp"
#include "support/mosquitto_broker.hpp"
#include "support/mqtt_test_client.hpp"
#include "support/pki.hpp"
#include "support/process.hpp"
#include "support/wait.hpp"

namespace lintel::test {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

inline const std::string kGateway = "gw-e2e";

// "queue=N" from a STATUS= line.
inline std::uint64_t queue_of(const std::string& status) {
    const auto pos = status.find("queue=");
    return pos == std::string::npos ? 0 : std::stoull(status.substr(pos + 6));
}

inline fs::path linteld_path() { return fs::path(LINTEL_BUILD_DIR) / "bin" / "linteld"; }

// A telemetry point as the cloud receives it.
struct Received {
    std::uint64_t seq;
    nlohmann::json point;
};

class DaemonTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = std::make_unique<TempDir>("lintel-e2e");
        auto pki = Pki::generate(dir_->path() / "pki", kGateway);
        ASSERT_TRUE(pki) << pki.error().message;
        pki_ = *pki;
        // Broker persistence + a persistent observer session: the "cloud" misses nothing across
        // a broker restart, so tests can count every point.
        auto broker_options = BrokerOptions::from_pki(pki_);
        broker_options.persistence = true;
        fs::create_directories(dir_->path() / "broker");
        broker_ = std::make_unique<MosquittoBroker>(dir_->path() / "broker", broker_options);
        auto started = broker_->start();
        ASSERT_TRUE(started) << started.error().message;
        auto peer = modbus::test::ModbusPeer::start({});
        ASSERT_TRUE(peer) << peer.error().message;
        peer_ = std::move(*peer);
        auto observer_options = MqttTestClientOptions::observer(pki_, broker_->port());
        observer_options.clean_session = false;
        observer_ = std::make_unique<MqttTestClient>(observer_options);
        ASSERT_TRUE(observer_->connect());
        ASSERT_TRUE(observer_->subscribe("lintel/v1/#", 1));
        fs::create_directories(etc() / "devices.d");
        write_main_config();
        write_devices(default_devices());
    }

    void TearDown() override {
        if (daemon_) {
            if (daemon_->running()) {
                daemon_->kill9();
            } else if (auto st = daemon_->wait_exit(0ms); st && !(st->exited && st->code == 0)) {
                ADD_FAILURE() << "linteld ended on its own: " << st->describe();
            }
        }
        if (HasFailure()) {
            std::cerr << "---- linteld log ----\n"
                      << daemon_log() << "---- broker log (tail) ----\n";
            const std::string b = broker_ ? broker_->log() : "";
            std::cerr << (b.size() > 4000 ? b.substr(b.size() - 4000) : b) << "\n";
        }
    }

    fs::path etc() const { return dir_->path() / "etc"; }
    fs::path config_path() const { return etc() / "lintel.yaml"; }
    fs::path log_path() const { return dir_->path() / "linteld.log"; }
    std::string telemetry_topic() const { return "lintel/v1/" + kGateway + "/telemetry"; }
    std::string status_topic() const { return "lintel/v1/" + kGateway + "/status"; }

    void write_main_config(const std::string& extra = "") {
        std::ofstream(config_path())
            << "gateway:\n  id: " << kGateway << "\n"
            << "log:\n  level: debug\n"
            << "plugins:\n  dir: " << LINTEL_PLUGIN_BUILD_DIR << "\n"
            << "buffer:\n  path: "
            << ((buffer_dir_.empty() ? dir_->path() : buffer_dir_) / "buffer.db").string() << "\n"
            << "  commit_interval: 20ms\n"
            << buffer_extra_ << "uplink:\n  host: localhost\n  port: "
            << (uplink_port_ != 0 ? uplink_port_ : broker_->port()) << "\n"
            << "  reconnect:\n    initial: 200ms\n    max: 1s\n"
            << "  status_interval: 1s\n"
            << uplink_extra_ << "  tls:\n"
            << "    ca_file: " << tls_file(pki_.ca_cert, "ca.pem").string() << "\n"
            << "    cert_file: " << tls_file(pki_.gateway.cert, "gateway.pem").string() << "\n"
            << "    key_file: " << tls_file(pki_.gateway.key, "gateway.key").string() << "\n"
            << "    crl_file: " << tls_file(pki_.ca_crl, "ca.crl").string() << "\n"
            << "shutdown:\n  timeout: 5s\n"
            << extra;
    }

    // More keys of the uplink section (indented two spaces), e.g. "  identity:\n    ...".
    std::string uplink_extra_;
    // More keys of the buffer section (indented two spaces), e.g. "  max_bytes: 1MiB\n".
    std::string buffer_extra_;
    // The port linteld connects to; 0: the broker's (fault tests put a delaying relay between).
    std::uint16_t uplink_port_ = 0;
    // More environment for linteld (e.g. libfaketime's LD_PRELOAD).
    std::map<std::string, std::string> daemon_env_;
    // Where buffer.db lives; empty: the test's directory (fault tests put it on a small tmpfs).
    fs::path buffer_dir_;

    // The generated PKI's file, or its name under tls_dir_ when a test provisions by hand.
    fs::path tls_file(const fs::path& generated, const std::string& name) const {
        return tls_dir_.empty() ? generated : tls_dir_ / name;
    }

    struct CheckResult {
        int code = -1;
        std::string out;
        std::string err;
    };
    // linteld --check-config on this test's config.
    CheckResult check_config() const {
        const fs::path out = dir_->path() / "check.out";
        const fs::path err = dir_->path() / "check.err";
        auto p = Process::spawn(
            ProcessOptions::of({linteld_path().string(), "--check-config", config_path().string()})
                .with_stderr(Output::to_file(err))
                .with_stdout(Output::to_file(out)));
        if (!p) return {-1, "", p.error().message};
        auto status = p->wait_exit(20s);
        return {status && status->exited ? status->code : -1, read_file(out).value_or(""),
                read_file(err).value_or("")};
    }

    std::string default_devices(const std::string& extra_points = "") const {
        return "devices:\n"
               "  - name: meter\n"
               "    driver: modbus\n"
               "    host: 127.0.0.1\n"
               "    port: " +
               std::to_string(peer_->port()) +
               "\n"
               "    poll_interval: 100ms\n"
               "    timeout: 500ms\n"
               "    points:\n"
               "      - {name: setpoint, table: holding_register, address: 0, type: int16, scale: "
               "0.1, unit: degC}\n"
               "      - {name: voltage, table: input_register, address: 0, type: float32, unit: "
               "V}\n"
               "      - {name: energy, table: holding_register, address: 2, type: uint32, unit: "
               "Wh}\n"
               "      - {name: relay, table: coil, address: 1, type: bool}\n"
               "      - {name: counter, table: holding_register, address: 20, type: uint16}\n" +
               extra_points;
    }

    void write_devices(const std::string& text) {
        std::ofstream(etc() / "devices.d" / "meter.yaml") << text;
    }

    void start_daemon(std::chrono::milliseconds ready_timeout = 15s) {
        notify_.reset();  // a restart binds the same path again
        notify_ = std::make_unique<NotifyListener>(dir_->path() / "notify.sock");
        auto options =
            ProcessOptions::of({linteld_path().string(), "--config", config_path().string()})
                .with_env("NOTIFY_SOCKET", notify_->path().string())
                .with_env("WATCHDOG_USEC", "1000000")
                .with_stderr(Output::append_to_file(log_path()))
                .with_stdout(Output::append_to_file(log_path()));
        for (const auto& [key, value] : daemon_env_) options.with_env(key, value);
        auto p = Process::spawn(std::move(options));
        ASSERT_TRUE(p) << p.error().message;
        daemon_ = std::make_unique<Process>(std::move(*p));
        ASSERT_TRUE(notify_->wait_for("READY=1", ready_timeout))
            << "linteld did not report READY=1";
    }

    std::string daemon_log() const {
        std::ifstream in(log_path());
        return std::string(std::istreambuf_iterator<char>(in), {});
    }

    bool wait_log(const std::string& needle, std::chrono::milliseconds timeout) const {
        return wait_until([&] { return daemon_log().find(needle) != std::string::npos; }, timeout);
    }

    // Every telemetry point received so far, in arrival order.
    std::vector<Received> received() const {
        std::vector<Received> out;
        for (const auto& m : observer_->messages_on(telemetry_topic())) {
            const auto doc = nlohmann::json::parse(m.payload);
            for (const auto& p : doc.at("points"))
                out.push_back({doc.at("seq").get<std::uint64_t>(), p});
        }
        return out;
    }

    // Distinct sample times of one point (of one device, unless empty), sorted (re-sent
    // duplicates collapse).
    std::vector<std::int64_t> sample_times(const std::string& point,
                                           const std::string& device = "") const {
        std::vector<std::int64_t> ts;
        for (const auto& r : received()) {
            if (r.point.at("point") == point && (device.empty() || r.point.at("device") == device))
                ts.push_back(r.point.at("ts").get<std::int64_t>());
        }
        std::sort(ts.begin(), ts.end());
        ts.erase(std::unique(ts.begin(), ts.end()), ts.end());
        return ts;
    }

    static std::int64_t now_ms() {
        return std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
            .count();
    }

    std::optional<nlohmann::json> latest(const std::string& point) const {
        const auto all = received();
        for (auto it = all.rbegin(); it != all.rend(); ++it) {
            if (it->point.at("point") == point) return it->point;
        }
        return std::nullopt;
    }

    bool wait_point(const std::string& point,
                    const std::function<bool(const nlohmann::json&)>& pred,
                    std::chrono::milliseconds timeout = 10s) const {
        return wait_until(
            [&] {
                auto p = latest(point);
                return p && pred(*p);
            },
            timeout, 20ms);
    }

    // The latest retained-or-live status document.
    std::optional<nlohmann::json> latest_status() const {
        const auto msgs = observer_->messages_on(status_topic());
        if (msgs.empty()) return std::nullopt;
        return nlohmann::json::parse(msgs.back().payload);
    }

    std::unique_ptr<TempDir> dir_;
    Pki pki_;
    std::unique_ptr<MosquittoBroker> broker_;
    std::unique_ptr<modbus::test::ModbusPeer> peer_;
    std::unique_ptr<MqttTestClient> observer_;
    std::unique_ptr<NotifyListener> notify_;
    std::unique_ptr<Process> daemon_;
    fs::path tls_dir_;  // empty: the config names the generated PKI's files directly
};

}  // namespace lintel::test

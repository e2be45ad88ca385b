// Tests of the test-support library itself: processes, waits, PKI and the broker fixture.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>

#include "support/mosquitto_bridge.hpp"
#include "support/mosquitto_broker.hpp"
#include "support/mqtt_test_client.hpp"
#include "support/pki.hpp"
#include "support/process.hpp"
#include "support/qos1_publisher.hpp"
#include "support/wait.hpp"

namespace lintel::test {
namespace {

using namespace std::chrono_literals;

TEST(Process, ReportsExitCodeAndCapturesStdout) {
    TestWatchdog dog(20s);
    auto p = Process::spawn(
        ProcessOptions::of({"/bin/sh", "-c", "echo hello; exit 3"}).with_stdout(Output::to_pipe()));
    ASSERT_TRUE(p) << p.error().message;
    EXPECT_EQ(p->read_stdout(5s), "hello\n");
    auto s = p->wait_exit(5s);
    ASSERT_TRUE(s);
    EXPECT_TRUE(s->exited);
    EXPECT_EQ(s->code, 3);
    EXPECT_FALSE(p->running());
}

TEST(Process, EnvCwdAndFileOutput) {
    TestWatchdog dog(20s);
    TempDir dir;
    auto p = Process::spawn(ProcessOptions::of({"/bin/sh", "-c", "echo \"$LINTEL_X\" $(pwd)"})
                                .with_env("LINTEL_X", "42")
                                .with_cwd(dir.path())
                                .with_stdout(Output::to_file(dir / "out.txt"))
                                .with_stderr(Output::null()));
    ASSERT_TRUE(p) << p.error().message;
    ASSERT_TRUE(p->wait_exit(5s));
    auto out = read_file(dir / "out.txt");
    ASSERT_TRUE(out);
    EXPECT_EQ(*out, "42 " + std::filesystem::canonical(dir.path()).string() + "\n");
}

// Alive = exists and is not a zombie (an orphan's zombie lingers until PID 1 reaps it).
bool alive(pid_t pid) {
    auto stat = read_file("/proc/" + std::to_string(pid) + "/stat");
    if (!stat) return false;
    auto close_paren = stat->rfind(')');
    return close_paren != std::string::npos && stat->size() > close_paren + 2 &&
           (*stat)[close_paren + 2] != 'Z';
}

TEST(Process, TerminateEscalatesToKillAndReachesTheGroup) {
    TestWatchdog dog(20s);
    TempDir dir;
    // The shell ignores SIGTERM; its child sleep would be orphaned without the process group.
    auto p = Process::spawn(ProcessOptions::of(
        {"/bin/sh", "-c",
         "trap '' TERM; sleep 100 & echo $! > " + (dir / "pid").string() + "; wait"}));
    ASSERT_TRUE(p) << p.error().message;
    ASSERT_TRUE(
        wait_until([&] { return read_file(dir / "pid").value_or("").ends_with("\n"); }, 5s));
    const pid_t grandchild = std::stoi(*read_file(dir / "pid"));
    EXPECT_TRUE(p->running());
    EXPECT_TRUE(alive(grandchild));
    auto s = p->terminate(200ms);
    EXPECT_FALSE(s.exited);
    EXPECT_EQ(s.signal, SIGKILL);
    EXPECT_TRUE(wait_until([&] { return !alive(grandchild); }, 5s));
}

TEST(Process, StdinPipeFeedsTheChildAndClosingItIsEof) {
    TestWatchdog dog(20s);
    auto p = Process::spawn(
        ProcessOptions::of({"/bin/cat"}).with_stdin_pipe().with_stdout(Output::to_pipe()));
    ASSERT_TRUE(p) << p.error().message;
    ASSERT_GE(p->stdin_fd(), 0);
    ASSERT_EQ(write(p->stdin_fd(), "hi\n", 3), 3);
    p->close_stdin();
    EXPECT_EQ(p->read_stdout(5s), "hi\n");
    auto s = p->wait_exit(5s);
    ASSERT_TRUE(s);
    EXPECT_TRUE(s->exited);
    EXPECT_EQ(s->code, 0);
}

TEST(Process, MissingProgramIsAnError) {
    auto p = Process::spawn(ProcessOptions::of({"/nonexistent/lintel-nothing"}));
    ASSERT_FALSE(p);
    EXPECT_NE(p.error().message.find("No such file"), std::string::npos) << p.error().message;
}

TEST(Wait, UntilAndPorts) {
    TestWatchdog dog(20s);
    int n = 0;
    EXPECT_TRUE(wait_until([&] { return ++n >= 3; }, 1s, 1ms));
    EXPECT_FALSE(wait_until([] { return false; }, 20ms));
    auto port = free_tcp_port();
    EXPECT_GT(port, 0);
    EXPECT_FALSE(wait_for_tcp_port(port, 30ms));
}

TEST(Files, TempDirWriteReadAndMode) {
    std::filesystem::path kept;
    {
        TempDir dir;
        kept = dir.path();
        ASSERT_TRUE(write_file(dir / "k", "secret", 0600));
        struct stat st {};
        ASSERT_EQ(stat((dir / "k").c_str(), &st), 0);
        EXPECT_EQ(st.st_mode & 0777, 0600u);
        EXPECT_EQ(*read_file(dir / "k"), "secret");
        EXPECT_FALSE(read_file(dir / "missing"));
    }
    EXPECT_FALSE(std::filesystem::exists(kept));
}

// No time bound here: speed belongs in benchmarks (a 2 s bound failed under TSan on a busy box).
TEST(Pki, GeneratesEverythingWithPrivateModes) {
    TestWatchdog dog(30s);
    TempDir dir;
    auto pki = Pki::generate(dir / "pki", "gw-test");
    ASSERT_TRUE(pki) << pki.error().message;
    for (const auto& f : {pki->ca_cert, pki->ca_crl, pki->gateway.key, pki->rogue_server.key,
                          pki->expired.cert, pki->observer.key}) {
        struct stat st {};
        ASSERT_EQ(stat(f.c_str(), &st), 0) << f;
        EXPECT_EQ(st.st_mode & 0777, 0600u) << f;
    }
    struct stat st {};
    ASSERT_EQ(stat(pki->dir.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700u);
    // Idempotent: a second run keeps the same CA.
    auto ca_before = read_file(pki->ca_cert);
    ASSERT_TRUE(Pki::generate(dir / "pki", "gw-test"));
    EXPECT_EQ(*read_file(pki->ca_cert), *ca_before);
}

class BrokerTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto p = Pki::generate(dir_ / "pki", "gw-test");
        ASSERT_TRUE(p) << p.error().message;
        pki_ = *p;
    }
    TempDir dir_;
    Pki pki_;
};

TEST_F(BrokerTest, ObserverPublishesAndReceivesAndBrokerRestartsOnSamePort) {
    TestWatchdog dog(60s);
    MosquittoBroker broker(dir_.path(), BrokerOptions::from_pki(pki_));
    ASSERT_TRUE(broker.start()) << broker.log();
    const auto port = broker.port();

    {
        MqttTestClient observer(MqttTestClientOptions::observer(pki_, port));
        ASSERT_TRUE(observer.connect());
        ASSERT_TRUE(observer.subscribe("lintel/v1/#"));
        auto rc = observer.publish("lintel/v1/x/status", "hi", 1, true);
        ASSERT_TRUE(rc) << rc.error().message;
        EXPECT_EQ(*rc, 0);
        ASSERT_TRUE(observer.wait_for_count("lintel/v1/x/status", 1, 5s));
        EXPECT_EQ(observer.messages_on("lintel/v1/x/status")[0].payload, "hi");
    }
    EXPECT_TRUE(broker.wait_for_log("New client connected", 5s));

    broker.stop();
    EXPECT_FALSE(broker.running());
    ASSERT_TRUE(broker.start()) << broker.current_log();
    EXPECT_EQ(broker.port(), port);
    EXPECT_EQ(broker.current_log().find("New client connected"), std::string::npos);
    MqttTestClient again(MqttTestClientOptions::observer(pki_, port));
    EXPECT_TRUE(again.connect());
}

TEST_F(BrokerTest, RefusesRevokedAndRogueClientsAndEnforcesAcl) {
    TestWatchdog dog(60s);
    MosquittoBroker broker(dir_.path(), BrokerOptions::from_pki(pki_));
    ASSERT_TRUE(broker.start()) << broker.log();

    auto opts = MqttTestClientOptions::observer(pki_, broker.port());
    opts.client_id = "revoked";
    opts.client = pki_.revoked;
    MqttTestClient revoked(opts);
    EXPECT_FALSE(revoked.connect(3s));
    // The broker logs a failed verification (not the word "revoked") and drops the client.
    EXPECT_TRUE(broker.wait_for_log("certificate verify failed", 5s)) << broker.log();

    opts.client_id = "rogue";
    opts.client = pki_.rogue_client;
    MqttTestClient rogue(opts);
    EXPECT_FALSE(rogue.connect(3s));

    opts.client_id = "gw-test";
    opts.client = pki_.gateway;
    MqttTestClient gw(opts);
    ASSERT_TRUE(gw.connect());
    EXPECT_LT(*gw.publish("lintel/v1/gw-test/telemetry", "ok"), 0x80);  // 0x10: no subscribers
    EXPECT_EQ(*gw.publish("lintel/v1/other/telemetry", "no"), 0x87);
}

TEST(BridgePayload, SeqRoundTripsAndJunkHasNone) {
    const std::string p = device_point_payload(123456789);
    EXPECT_EQ(payload_seq(p), 123456789u);
    EXPECT_GE(p.size(), 95u);  // about one point of lintel's telemetry
    EXPECT_LE(p.size(), 125u);
    EXPECT_EQ(payload_seq(R"({"gateway":"gw","seq":42,"points":[]})"), 42u);
    EXPECT_EQ(payload_seq(R"({"seq":})"), std::nullopt);
    EXPECT_EQ(payload_seq("no seq here"), std::nullopt);
}

// The bridge fault tests' premise: the local broker keeps Debian's defaults (autosave 1800 s), and
// a point a device publishes there reaches the cloud through the mTLS bridge.
TEST_F(BrokerTest, BridgeKeepsDebianAutosaveAndForwardsQos1ToTheCloud) {
    TestWatchdog dog(60s);
    std::filesystem::create_directories(dir_.path() / "cloud");
    std::filesystem::create_directories(dir_.path() / "local");
    auto cloud_options = BrokerOptions::from_pki(pki_);
    cloud_options.verbose_log = false;
    MosquittoBroker cloud(dir_.path() / "cloud", cloud_options);
    ASSERT_TRUE(cloud.start()) << cloud.log();
    MqttTestClient observer(MqttTestClientOptions::observer(pki_, cloud.port()));
    ASSERT_TRUE(observer.connect());
    ASSERT_TRUE(observer.subscribe("lintel/v1/gw-test/telemetry", 1));

    MosquittoBridge bridge(dir_.path() / "local", BridgeOptions::from_pki(pki_, cloud.port()));
    ASSERT_TRUE(bridge.start());
    const auto conf = read_file(bridge.broker().conf_path());
    ASSERT_TRUE(conf);
    EXPECT_NE(conf->find("persistence true"), std::string::npos);
    EXPECT_EQ(conf->find("autosave_interval"), std::string::npos);
    EXPECT_NE(conf->find("cleansession false"), std::string::npos);
    EXPECT_NE(conf->find("topic lintel/v1/gw-test/telemetry out 1"), std::string::npos);
    ASSERT_TRUE(
        wait_until([&] { return MosquittoBridge::connections_seen(cloud, "gw-test") == 1; }, 10s))
        << cloud.log();

    Qos1PublisherOptions device;
    device.host = "127.0.0.1";
    device.port = bridge.port();
    Qos1Publisher publisher(device);
    ASSERT_TRUE(publisher.connect());
    std::string buf;
    const auto r = publisher.run(
        "lintel/v1/gw-test/telemetry", 7, 3,
        [&](std::uint64_t seq) -> std::string_view {
            buf = device_point_payload(seq);
            return buf;
        },
        10s);
    EXPECT_EQ(r.acked, 3u);
    EXPECT_EQ(publisher.acked_seqs().size(), 3u);
    ASSERT_TRUE(observer.wait_for_count("lintel/v1/gw-test/telemetry", 3, 10s));
    EXPECT_EQ(payload_seq(observer.messages()[0].payload), 7u);
    EXPECT_FALSE(std::filesystem::exists(bridge.db_path()));  // saved only on exit
    bridge.stop();
    EXPECT_TRUE(std::filesystem::exists(bridge.db_path()));
}

}  // namespace
}  // namespace lintel::test

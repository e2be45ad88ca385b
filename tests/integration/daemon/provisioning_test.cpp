// A gateway that is not provisioned yet: linteld runs, polls and buffers, says what is missing,
// and connects once the credential files are in place, without losing what it buffered.
#include <sys/stat.h>

#include "daemon_fixture.hpp"

namespace lintel::test {
namespace {

TEST_F(DaemonTest, UnprovisionedGatewayBuffersAndConnectsOnceCredentialsAppear) {
    tls_dir_ = etc() / "pki";  // does not exist yet, as on a fresh install
    write_main_config();

    const auto check = check_config();
    EXPECT_EQ(check.code, 0) << check.err;
    EXPECT_NE(check.err.find("warning: not provisioned yet: missing " +
                             (tls_dir_ / "ca.pem").string() + " (the CA certificate"),
              std::string::npos)
        << check.err;

    peer_->must("set hr 20 7");
    start_daemon();
    ASSERT_TRUE(wait_log("not provisioned", 5s)) << daemon_log();
    EXPECT_NE(daemon_log().find((tls_dir_ / "gateway.key").string() +
                                " (this gateway's private key, uplink.tls.key_file)"),
              std::string::npos)
        << "the log names each missing file and its key";
    // Devices are polled and their points buffered meanwhile.
    ASSERT_TRUE(wait_until(
        [&] {
            const auto st = notify_->last_status();
            return st.find("link=not-provisioned") != std::string::npos && queue_of(st) >= 10;
        },
        10s))
        << notify_->last_status();
    EXPECT_NE(notify_->last_status().find("not provisioned: missing"), std::string::npos);
    EXPECT_TRUE(received().empty());
    const auto provisioned_at = now_ms();

    // The installer copies the files but leaves the key readable by others: refused, with the fix.
    fs::create_directories(tls_dir_);
    fs::copy_file(pki_.ca_cert, tls_dir_ / "ca.pem");
    fs::copy_file(pki_.gateway.cert, tls_dir_ / "gateway.pem");
    fs::copy_file(pki_.ca_crl, tls_dir_ / "ca.crl");
    // Written 0644 from the start: no moment where a check could see a good key.
    ASSERT_TRUE(write_file(tls_dir_ / "gateway.key", *read_file(pki_.gateway.key), 0644));
    ASSERT_TRUE(wait_log("credential files are in place but cannot be used", 12s)) << daemon_log();
    EXPECT_NE(daemon_log().find("chmod 600 " + (tls_dir_ / "gateway.key").string()),
              std::string::npos);
    EXPECT_TRUE(wait_until(
        [&] { return notify_->last_status().find("credentials unusable") != std::string::npos; },
        5s))
        << notify_->last_status();
    EXPECT_TRUE(received().empty());

    // Fixed, and a reload need not wait for the next check: the uplink starts and everything
    // buffered before provisioning arrives.
    ::chmod((tls_dir_ / "gateway.key").c_str(), 0600);
    daemon_->signal(SIGHUP);
    ASSERT_TRUE(wait_point(
        "counter", [](const auto& p) { return p.at("value") == 7; }, 15s))
        << daemon_log();
    const auto ts = sample_times("counter");
    ASSERT_FALSE(ts.empty());
    EXPECT_LT(ts.front(), provisioned_at) << "points read before provisioning were kept";
    ASSERT_TRUE(wait_until(
        [&] { return notify_->last_status().find("link=connected") != std::string::npos; }, 10s))
        << notify_->last_status();
    EXPECT_TRUE(daemon_->running());
}

TEST_F(DaemonTest, CredentialsAppearingAreFoundWithoutAReload) {
    tls_dir_ = etc() / "pki";
    write_main_config();
    start_daemon();
    ASSERT_TRUE(wait_log("not provisioned", 5s)) << daemon_log();
    // Written the way an installer should: key first with its mode, then the rest.
    fs::create_directories(tls_dir_);
    fs::copy_file(pki_.gateway.key, tls_dir_ / "gateway.key");
    ::chmod((tls_dir_ / "gateway.key").c_str(), 0600);
    fs::copy_file(pki_.ca_cert, tls_dir_ / "ca.pem");
    fs::copy_file(pki_.ca_crl, tls_dir_ / "ca.crl");
    fs::copy_file(pki_.gateway.cert, tls_dir_ / "gateway.pem");
    ASSERT_TRUE(wait_log("credential files found: starting the uplink", 12s)) << daemon_log();
    ASSERT_TRUE(wait_point(
        "counter", [](const auto&) { return true; }, 10s))
        << daemon_log();
}

}  // namespace
}  // namespace lintel::test

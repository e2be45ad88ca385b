// linteld with its key in a softhsm2 token (docs/pkcs11.md): values reach the cloud over mutual
// TLS with the token key; a wrong PIN is logged with its code while the daemon keeps running and
// buffering, and a corrected PIN file connects without a restart.
#include <sys/stat.h>

#include "daemon_fixture.hpp"
#include "support/softhsm.hpp"
#include "token_config.hpp"

namespace lintel::test {
namespace {

class TokenDaemonTest : public DaemonTest {
protected:
    // The process's token (SoftHsm::shared sets SOFTHSM2_CONF); linteld inherits the variable
    // and opens the same token directory.
    // A token key for kGateway, its certificate from the test CA, and the config using both.
    void use_token_key(const fs::path& pin_file) {
        ASSERT_TRUE(hsm_) << SoftHsm::shared_error();
        use_token_key_in_config(*hsm_, pki_, kGateway, config_path(), pin_file, dir_->path());
    }

    const SoftHsm* hsm_ = SoftHsm::shared();
};

TEST_F(TokenDaemonTest, ValuesReachTheCloudOverTlsWithTheTokenKey) {
    use_token_key(hsm_->pin_file);
    auto check = check_config();
    EXPECT_EQ(check.code, 0) << check.out << check.err;
    start_daemon();
    ASSERT_TRUE(wait_point(
        "voltage", [](const nlohmann::json&) { return true; }, 20s))
        << daemon_log();
    // The broker took the token certificate's CN as the user its ACL is keyed on.
    EXPECT_TRUE(broker_->wait_for_log("u'" + kGateway + "'", 5s));
    EXPECT_EQ(daemon_log().find(hsm_->pin), std::string::npos) << "the PIN was logged";
}

TEST_F(TokenDaemonTest, WrongPinIsLoggedDaemonKeepsRunningAndAFixedPinConnects) {
    const fs::path pin = dir_->path() / "token.pin";
    std::ofstream(pin) << "111111\n";
    ::chmod(pin.c_str(), 0600);
    use_token_key(pin);
    start_daemon();
    ASSERT_TRUE(wait_log("pkcs11.pin", 15s)) << daemon_log();
    ASSERT_TRUE(wait_log("not offered again", 15s)) << daemon_log();
    EXPECT_TRUE(daemon_->running());
    EXPECT_EQ(daemon_log().find("111111"), std::string::npos) << "the PIN was logged";
    EXPECT_TRUE(received().empty());

    std::ofstream(pin) << hsm_->pin << "\n";  // the operator corrects the file; no restart
    ASSERT_TRUE(wait_point(
        "voltage", [](const nlohmann::json&) { return true; }, 30s))
        << daemon_log();
    EXPECT_TRUE(daemon_->running());
}

}  // namespace
}  // namespace lintel::test

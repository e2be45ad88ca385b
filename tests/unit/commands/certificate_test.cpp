// Certificates: CN extraction and chain checks against the test PKI (good, expired, rogue CA).
#include "commands/certificate.hpp"

#include <gtest/gtest.h>

#include "commands/reason_codes.hpp"
#include "commands_test_support.hpp"
#include "support/files.hpp"
#include "support/pki.hpp"

namespace lintel::commands {
namespace {

class CertificateTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto pki = lintel::test::Pki::generate(dir_ / "pki", "gw-cert-test");
        ASSERT_TRUE(pki) << pki.error().message;
        pki_ = *pki;
    }
    lintel::test::TempDir dir_{"lintel-cert"};
    lintel::test::Pki pki_;
};

TEST_F(CertificateTest, ReadsTheCommonNameAndKey) {
    auto cert = Certificate::from_file(pki_.gateway.cert);
    ASSERT_TRUE(cert) << cert.error().message;
    EXPECT_EQ(cert->common_name().value_or("?"), "gw-cert-test");
    EXPECT_EQ(cert->public_key().type(), KeyType::p256);
    EXPECT_NE(cert->subject().find("gw-cert-test"), std::string::npos);
    auto key = PrivateKey::from_pem_file(pki_.gateway.key);
    ASSERT_TRUE(key) << key.error().message;
    EXPECT_EQ(cert->public_key().fingerprint(), key->public_key().fingerprint());
}

TEST_F(CertificateTest, ChainsToItsCaOnly) {
    auto gateway = Certificate::from_file(pki_.gateway.cert).value();
    auto trusted = gateway.verify_chain(pki_.ca_cert);
    EXPECT_TRUE(trusted) << trusted.error().message;
    // Against the rogue CA: refused with OpenSSL's reason.
    auto wrong_ca = gateway.verify_chain(pki_.rogue_ca.cert);
    ASSERT_FALSE(wrong_ca);
    EXPECT_EQ(wrong_ca.error().code, error::cert_untrusted);
    EXPECT_NE(wrong_ca.error().message.find("unable to get local issuer certificate"),
              std::string::npos)
        << wrong_ca.error().message;
    // A rogue client cert against our CA.
    auto rogue = Certificate::from_file(pki_.rogue_client.cert).value();
    EXPECT_EQ(rogue.verify_chain(pki_.ca_cert).error().code, error::cert_untrusted);
    // A CA bundle with both CAs trusts both.
    const auto bundle = dir_ / "bundle.pem";
    ASSERT_TRUE(
        lintel::test::write_file(bundle, lintel::test::read_file(pki_.rogue_ca.cert).value() +
                                             lintel::test::read_file(pki_.ca_cert).value()));
    EXPECT_TRUE(gateway.verify_chain(bundle));
    EXPECT_TRUE(rogue.verify_chain(bundle));
}

TEST_F(CertificateTest, ValidityIsCheckedAtTheGivenTime) {
    auto expired = Certificate::from_file(pki_.expired.cert).value();
    auto now = expired.verify_chain(pki_.ca_cert);
    ASSERT_FALSE(now);
    EXPECT_NE(now.error().message.find("certificate has expired"), std::string::npos)
        << now.error().message;
    // gen_pki.sh makes it valid 2020-01-01 .. 2020-01-02; the CA is valid from now on.
    auto gateway = Certificate::from_file(pki_.gateway.cert).value();
    const auto past = std::chrono::system_clock::from_time_t(1577880000);  // 2020-01-01 12:00Z
    EXPECT_NE(gateway.verify_chain(pki_.ca_cert, past).error().message.find("not yet valid"),
              std::string::npos);
}

TEST_F(CertificateTest, RefusesWhatIsNotACertificate) {
    EXPECT_EQ(Certificate::from_file(pki_.gateway.key).error().code, error::cert_invalid);
    EXPECT_EQ(Certificate::from_file(dir_ / "missing.crt").error().code, error::key_unreadable);
    EXPECT_EQ(Certificate::from_pem("garbage").error().code, error::cert_invalid);
    auto gateway = Certificate::from_file(pki_.gateway.cert).value();
    auto bad_ca = gateway.verify_chain(pki_.gateway.key);
    ASSERT_FALSE(bad_ca);
    EXPECT_NE(bad_ca.error().message.find("holds no PEM certificate"), std::string::npos);
}

TEST_F(CertificateTest, ACertificateWithoutCnHasNoGatewayId) {
    auto key = test::make_private_key(dir_.path(), "nocn", "ed25519");
    ASSERT_TRUE(key);
    const auto cert = dir_ / "nocn.crt";
    auto made = test::run({"openssl", "req", "-x509", "-new", "-key", key->string(), "-subj",
                           "/O=lintel tests", "-days", "1", "-out", cert.string()},
                          dir_.path());
    ASSERT_TRUE(made && made->code == 0) << (made ? made->err : made.error().message);
    auto loaded = Certificate::from_file(cert);
    ASSERT_TRUE(loaded) << loaded.error().message;
    auto cn = loaded->common_name();
    ASSERT_FALSE(cn);
    EXPECT_NE(cn.error().message.find("has no CN"), std::string::npos);
}

}  // namespace
}  // namespace lintel::commands

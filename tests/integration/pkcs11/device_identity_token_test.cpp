// credentials::DeviceIdentity with its key in the softhsm2 token: an envelope encrypted to the
// token certificate is opened by ECDH inside the token, a sealed file round-trips, and the device
// sealing key is made in the token.
#include <fstream>
#include <sstream>

#include "credentials/device_identity.hpp"
#include "credentials/envelope.hpp"
#include "credentials/seal.hpp"
#include "credentials/sealing_key.hpp"
#include "pkcs11/reason_codes.hpp"
#include "pkcs11/token_fixture.hpp"

namespace lintel::pkcs11::testing {
namespace {

std::string text_of(const std::filesystem::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

class TokenIdentityTest : public TokenTest {
protected:
    // A token key with a certificate for k_gateway from the test CA.
    void issue() {
        auto id =
            hsm_->issue_identity(::testing::UnitTest::GetInstance()->current_test_info()->name(),
                                 k_gateway, pki_.ca_cert, pki_.ca_key, dir_.path());
        ASSERT_TRUE(id) << id.error().message;
        uri_ = id->uri;
        cert_ = id->cert;
    }
    std::string uri_;
    std::filesystem::path cert_;
};

TEST_F(TokenIdentityTest, OpensAnEnvelopeWithEcdhInTheToken) {
    issue();
    auto identity = credentials::DeviceIdentity::from_token(cert_, uri_, hsm_->settings());
    ASSERT_TRUE(identity) << identity.error().message;
    EXPECT_EQ(identity->gateway_id(), k_gateway);
    EXPECT_EQ(identity->key_type(), credentials::DeviceKeyType::p256);

    const credentials::Secret secret("wifi-psk: correct horse battery staple");
    auto envelope = credentials::encrypt_envelope(secret, text_of(cert_));
    ASSERT_TRUE(envelope) << envelope.error().message;
    auto opened = credentials::decrypt_envelope(*envelope, *identity);
    ASSERT_TRUE(opened) << opened.error().code << ": " << opened.error().message;
    EXPECT_EQ(opened->reveal(), secret.reveal());

    // Addressed to another gateway (the file-key gateway of the test PKI): not ours.
    auto other = credentials::encrypt_envelope(secret, text_of(pki_.gateway.cert));
    ASSERT_TRUE(other);
    auto refused = credentials::decrypt_envelope(*other, *identity);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, "cred.not_for_us");
}

TEST_F(TokenIdentityTest, SealsAndUnsealsWithTheTokenKey) {
    issue();
    auto identity = credentials::DeviceIdentity::from_token(cert_, uri_, hsm_->settings());
    ASSERT_TRUE(identity) << identity.error().message;
    auto key = credentials::SealingKey::of(*identity);
    ASSERT_TRUE(key) << key.error().message;
    const credentials::Secret secret("stored at rest");
    auto sealed = credentials::seal(secret, "test", *key);
    ASSERT_TRUE(sealed) << sealed.error().message;
    auto back = credentials::unseal(*sealed, "test", *key);
    ASSERT_TRUE(back) << back.error().code << ": " << back.error().message;
    EXPECT_EQ(back->reveal(), secret.reveal());
}

// The device sealing key (credentials at rest) is made in the token at first start, found there
// by its label afterwards, and cannot be read out of it.
TEST_F(TokenIdentityTest, SealingKeyIsMadeInTheTokenOnceAndStaysThere) {
    auto made = credentials::SealingKey::open_or_create_in_token(
        hsm_->token_uri(), "lintel-sealing", hsm_->settings());
    ASSERT_TRUE(made) << made.error().message;
    EXPECT_EQ(made->type(), credentials::DeviceKeyType::p256);
    auto again = credentials::SealingKey::open_or_create_in_token(
        hsm_->token_uri(), "lintel-sealing", hsm_->settings());
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_EQ(again->fingerprint(), made->fingerprint()) << "found, not made a second time";
    EXPECT_NE(again->location().find("object=lintel-sealing"), std::string::npos);

    auto protection = inspect_private_key(again->location(), hsm_->settings());
    ASSERT_TRUE(protection) << protection.error().message;
    EXPECT_FALSE(protection->extractable);
    EXPECT_FALSE(protection->value_readable);

    const credentials::Secret secret("802.1X password");
    auto sealed = credentials::seal(secret, "test", *made);
    ASSERT_TRUE(sealed) << sealed.error().message;
    auto back = credentials::unseal(*sealed, "test", *again);
    ASSERT_TRUE(back) << back.error().code << ": " << back.error().message;
    EXPECT_EQ(back->reveal(), secret.reveal());
}

TEST_F(TokenIdentityTest, KeyOfAnotherCertificateIsRefused) {
    issue();
    // The token key with the test PKI's gateway certificate (another key).
    auto identity =
        credentials::DeviceIdentity::from_token(pki_.gateway.cert, uri_, hsm_->settings());
    ASSERT_FALSE(identity);
    EXPECT_EQ(identity.error().code, "cred.identity");
    auto missing = credentials::DeviceIdentity::from_token(
        cert_, hsm_->token_uri() + ";object=absent", hsm_->settings());
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, error::no_key);
}

}  // namespace
}  // namespace lintel::pkcs11::testing

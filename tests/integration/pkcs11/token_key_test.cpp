// The token key against a real softhsm2: generation, non-extractability, every error code, CSRs
// checked by `openssl req -verify`, ECDH through the token.
#include <fstream>

#include "commands/keys.hpp"
#include "identity/key_source.hpp"
#include "pkcs11/reason_codes.hpp"
#include "pkcs11/token_fixture.hpp"

namespace lintel::pkcs11::testing {
namespace {

TEST_F(TokenTest, GeneratedKeyIsSensitiveAndCannotBeExported) {
    const std::string uri = new_key();
    ASSERT_FALSE(uri.empty());
    EXPECT_NE(uri.find("type=private"), std::string::npos) << uri;
    auto p = inspect_private_key(uri, hsm_->settings());
    ASSERT_TRUE(p) << p.error().message;
    EXPECT_TRUE(p->sensitive);
    EXPECT_FALSE(p->extractable);
    EXPECT_TRUE(p->always_sensitive);
    EXPECT_TRUE(p->never_extractable);
    EXPECT_FALSE(p->value_readable);
    EXPECT_EQ(p->value_refusal, "CKR_ATTRIBUTE_SENSITIVE");

    // And from outside: OpenSSL's pkcs11 engine "exports" the key as PEM, but the private value
    // never left the token (it writes a placeholder), so what came out cannot sign for the key.
    auto key = open_private_key(uri, hsm_->settings());
    ASSERT_TRUE(key) << key.error().message;
    std::ofstream(dir_ / "pub.pem") << key->public_key_pem();
    std::ofstream(dir_ / "data") << "challenge";
    const auto exported = dir_ / "exported.pem";
    auto out =
        test::run_command({"openssl", "pkey", "-engine", "pkcs11", "-inform", "engine", "-in",
                           uri + "?pin-value=" + hsm_->pin, "-out", exported.string()},
                          dir_.path());
    ASSERT_TRUE(out) << out.error().message;
    if (out->exit_code == 0) {
        auto sign = test::run_command({"openssl", "dgst", "-sha256", "-sign", exported.string(),
                                       "-out", (dir_ / "sig").string(), (dir_ / "data").string()},
                                      dir_.path());
        ASSERT_TRUE(sign);
        auto verify =
            test::run_command({"openssl", "dgst", "-sha256", "-verify", (dir_ / "pub.pem").string(),
                               "-signature", (dir_ / "sig").string(), (dir_ / "data").string()},
                              dir_.path());
        ASSERT_TRUE(verify);
        EXPECT_NE(verify->exit_code, 0)
            << "the exported key signs for the token key: " << verify->output;
    }
}

TEST_F(TokenTest, SameLabelTwiceIsRefused) {
    ASSERT_FALSE(new_key().empty());
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    auto again = generate_p256_key(hsm_->token_uri(), info->name(), hsm_->settings());
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, error::key_exists);
}

TEST_F(TokenTest, CsrSignedInTheTokenVerifies) {
    auto key = open_private_key(new_key(), hsm_->settings());
    ASSERT_TRUE(key) << key.error().message;
    auto csr = identity::make_csr_pem(*key->native(), k_gateway);
    ASSERT_TRUE(csr) << csr.error().message;
    const auto path = dir_ / "gw.csr";
    std::ofstream(path) << *csr;
    auto verify = test::run_command(
        {"openssl", "req", "-in", path.string(), "-verify", "-noout", "-subject"}, dir_.path());
    ASSERT_TRUE(verify) << verify.error().message;
    EXPECT_EQ(verify->exit_code, 0) << verify->output;
    EXPECT_NE(verify->output.find("verify OK"), std::string::npos) << verify->output;
    EXPECT_NE(verify->output.find("CN = gw-token"), std::string::npos) << verify->output;
    // The CSR's key is the token's key.
    std::ofstream(dir_ / "pub.pem") << key->public_key_pem();
    auto pub = test::run_command({"openssl", "req", "-in", path.string(), "-noout", "-pubkey"},
                                 dir_.path());
    ASSERT_TRUE(pub);
    EXPECT_EQ(pub->output, key->public_key_pem());
}

TEST_F(TokenTest, CommandResultsAreSignedInTheToken) {
    auto key = open_private_key(new_key(), hsm_->settings());
    ASSERT_TRUE(key) << key.error().message;
    auto signer = commands::PrivateKey::from_evp_pkey(key->native());
    ASSERT_TRUE(signer) << signer.error().message;
    EXPECT_EQ(signer->type(), commands::KeyType::p256);
    auto signature = signer->sign("result payload");
    ASSERT_TRUE(signature) << signature.error().message;
    EXPECT_EQ(signature->size(), 64u);  // ES256: R||S
    EXPECT_TRUE(signer->public_key().verify("result payload", *signature, signer->alg()));
    EXPECT_FALSE(signer->public_key().verify("another payload", *signature, signer->alg()));
}

TEST_F(TokenTest, WrongPinIsRefusedAndNotRetried) {
    const std::string uri = new_key();
    const auto bad_pin = dir_ / "bad.pin";
    std::ofstream(bad_pin) << "000000\n";
    std::filesystem::permissions(
        bad_pin, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    TokenSettings wrong{test::k_softhsm_module, bad_pin};
    auto first = open_private_key(uri, wrong);
    ASSERT_FALSE(first);
    EXPECT_EQ(first.error().code, error::pin);
    EXPECT_NE(first.error().message.find("CKR_PIN_INCORRECT"), std::string::npos);
    EXPECT_EQ(first.error().message.find("000000"), std::string::npos) << "PIN in a message";
    auto second = open_private_key(uri, wrong);
    ASSERT_FALSE(second);
    EXPECT_EQ(second.error().code, error::pin);
    EXPECT_NE(second.error().message.find("not offered again"), std::string::npos);
    // The right PIN still works: the token was asked once only.
    EXPECT_TRUE(open_private_key(uri, hsm_->settings()));
}

TEST_F(TokenTest, EachFailureHasItsCode) {
    const std::string uri = new_key();
    auto settings = hsm_->settings();

    auto no_key = open_private_key(hsm_->token_uri() + ";object=absent", settings);
    ASSERT_FALSE(no_key);
    EXPECT_EQ(no_key.error().code, error::no_key);

    auto no_token = open_private_key("pkcs11:token=absent;object=x", settings);
    ASSERT_FALSE(no_token);
    EXPECT_EQ(no_token.error().code, error::no_token);

    auto module = open_private_key(uri, {dir_ / "missing.so", hsm_->pin_file});
    ASSERT_FALSE(module);
    EXPECT_EQ(module.error().code, error::module);
    auto not_module =
        open_private_key(uri, {"/usr/lib/x86_64-linux-gnu/libc.so.6", hsm_->pin_file});
    ASSERT_FALSE(not_module);
    EXPECT_EQ(not_module.error().code, error::module);

    auto no_pin = open_private_key(uri, {test::k_softhsm_module, dir_ / "missing.pin"});
    ASSERT_FALSE(no_pin);
    EXPECT_EQ(no_pin.error().code, error::pin_file);

    const auto open_pin = dir_ / "open.pin";
    std::ofstream(open_pin) << hsm_->pin;
    std::filesystem::permissions(open_pin, std::filesystem::perms::owner_read |
                                               std::filesystem::perms::owner_write |
                                               std::filesystem::perms::group_read);
    auto insecure = open_private_key(uri, {test::k_softhsm_module, open_pin});
    ASSERT_FALSE(insecure);
    EXPECT_EQ(insecure.error().code, error::pin_file);
    EXPECT_NE(insecure.error().message.find("chmod"), std::string::npos)
        << insecure.error().message;

    auto in_uri = open_private_key(uri + "?pin-value=" + hsm_->pin, settings);
    ASSERT_FALSE(in_uri);
    EXPECT_EQ(in_uri.error().code, error::uri);
}

}  // namespace
}  // namespace lintel::pkcs11::testing

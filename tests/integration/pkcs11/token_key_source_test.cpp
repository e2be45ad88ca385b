// The identity lifecycle's token key source against a real softhsm2: a renewal's key is made in
// the factory key's token, never extractable, and only its URI lands in the identity directory.
#include <sys/stat.h>

#include <fstream>

#include "identity/key_source.hpp"
#include "identity/token_key_source.hpp"
#include "pkcs11/token_fixture.hpp"

namespace lintel::pkcs11::testing {
namespace {

using TokenKeySourceTest = TokenTest;

TEST_F(TokenKeySourceTest, RenewalKeysAreMadeInTheTokenAndOnlyTheirUriIsWritten) {
    const std::string factory = new_key();
    ASSERT_FALSE(factory.empty());
    auto source = identity::make_token_key_source(factory, hsm_->settings());
    ASSERT_TRUE(source) << source.error().message;

    const auto where = dir_ / "key.pem";
    auto made = (*source)->generate(where);
    ASSERT_TRUE(made) << made.error().message;
    struct stat st {};
    ASSERT_EQ(::stat(where.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);

    auto uri = identity::read_key_uri(where);
    ASSERT_TRUE(uri) << uri.error().message;
    EXPECT_TRUE(uri->starts_with("pkcs11:")) << *uri;
    EXPECT_NE(*uri, factory);
    EXPECT_NE(uri->find("lintel-identity-"), std::string::npos) << *uri;
    std::ifstream in(where);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(text.find("PRIVATE KEY"), std::string::npos) << "a key left the token";

    auto protection = inspect_private_key(*uri, hsm_->settings());
    ASSERT_TRUE(protection) << protection.error().message;
    EXPECT_TRUE(protection->sensitive);
    EXPECT_FALSE(protection->extractable);
    EXPECT_FALSE(protection->value_readable);

    // The CSR is signed in the token by that key.
    auto key = (*source)->load(where);
    ASSERT_TRUE(key) << key.error().message;
    auto csr = (*source)->sign_csr(**key, k_gateway);
    ASSERT_TRUE(csr) << csr.error().message;
    std::ofstream(dir_ / "gw.csr") << *csr;
    auto verify = test::run_command(
        {"openssl", "req", "-in", (dir_ / "gw.csr").string(), "-verify", "-noout", "-subject"},
        dir_.path());
    ASSERT_TRUE(verify) << verify.error().message;
    EXPECT_EQ(verify->exit_code, 0) << verify->output;
    EXPECT_NE(verify->output.find("CN = gw-token"), std::string::npos) << verify->output;
    auto token_key = open_private_key(*uri, hsm_->settings());
    ASSERT_TRUE(token_key) << token_key.error().message;
    auto pub = test::run_command(
        {"openssl", "req", "-in", (dir_ / "gw.csr").string(), "-noout", "-pubkey"}, dir_.path());
    ASSERT_TRUE(pub);
    EXPECT_EQ(pub->output, token_key->public_key_pem());
}

TEST_F(TokenKeySourceTest, NeverWritesOverAKeyAndRefusesWhatIsNoKeyUri) {
    auto source = identity::make_token_key_source(new_key(), hsm_->settings());
    ASSERT_TRUE(source) << source.error().message;
    const auto where = dir_ / "key.pem";
    std::ofstream(where) << "something\n";
    ::chmod(where.c_str(), 0600);
    auto again = (*source)->generate(where);
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, "cert.key_failed");
    auto load = (*source)->load(where);
    ASSERT_FALSE(load);
    EXPECT_EQ(load.error().code, "cert.key_failed");
    EXPECT_NE(load.error().message.find("token key URI"), std::string::npos)
        << load.error().message;

    auto bad = identity::make_token_key_source("pkcs11:token=x", hsm_->settings());
    ASSERT_FALSE(bad);  // names no key: no token to put new keys in can be told from it
    EXPECT_EQ(bad.error().code, "cert.key_failed");
}

}  // namespace
}  // namespace lintel::pkcs11::testing

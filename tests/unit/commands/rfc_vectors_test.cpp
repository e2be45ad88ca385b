// The published JOSE vectors: RFC 8037 A.4 (Ed25519) and RFC 7515 A.3 (ES256) verify with the
// RFCs' keys through our PublicKey; RFC 8037's private key reproduces its signature byte for
// byte. The strings are copied from the RFCs; the keys are the RFCs' JWK coordinates wrapped
// in the fixed DER prefix of a SubjectPublicKeyInfo (RFC 8410 §4, RFC 5480 §2).
#include <gtest/gtest.h>

#include "commands/base64url.hpp"
#include "commands/jws.hpp"
#include "commands/key_files.hpp"
#include "commands/keys.hpp"
#include "commands/reason_codes.hpp"
#include "commands_test_support.hpp"
#include "support/files.hpp"

namespace lintel::commands {
namespace {

// RFC 8037 Appendix A.1 (key) and A.4 (JWS).
constexpr std::string_view k_ed_x = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
constexpr std::string_view k_ed_d = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A";
constexpr std::string_view k_ed_jws =
    "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc."
    "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";

// RFC 7515 Appendix A.3.
constexpr std::string_view k_ec_x = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
constexpr std::string_view k_ec_y = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";
constexpr std::string_view k_ec_jws =
    "eyJhbGciOiJFUzI1NiJ9."
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
    "."
    "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";

std::string unhex(std::string_view hex) {
    std::string out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
        out += static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
    }
    return out;
}

std::string b64(std::string_view text) { return base64url_decode(text).value(); }

// PEM armour: standard base64 (not base64url) with padding, in 64-character lines.
std::string pem_of(std::string_view label, std::string_view der) {
    std::string body = base64url_encode(der);
    for (auto& c : body) c = c == '-' ? '+' : c == '_' ? '/' : c;
    while (body.size() % 4 != 0) body += '=';
    std::string out = "-----BEGIN " + std::string(label) + "-----\n";
    for (std::size_t i = 0; i < body.size(); i += 64) out += body.substr(i, 64) + "\n";
    return out + "-----END " + std::string(label) + "-----\n";
}

PublicKey rfc8037_public_key() {
    auto key = PublicKey::from_spki_der(unhex("302a300506032b6570032100") + b64(k_ed_x));
    EXPECT_TRUE(key) << key.error().message;
    return *key;
}

PublicKey rfc7515_public_key() {
    auto key = PublicKey::from_spki_der(unhex("3059301306072a8648ce3d020106082a8648ce3d030107034200"
                                              "04") +
                                        b64(k_ec_x) + b64(k_ec_y));
    EXPECT_TRUE(key) << key.error().message;
    return *key;
}

struct Split {
    std::string signing_input;
    std::string signature;
};

Split split(std::string_view jws) {
    const auto last = jws.rfind('.');
    return {std::string(jws.substr(0, last)), b64(jws.substr(last + 1))};
}

TEST(RfcVectors, Rfc8037Ed25519ExampleVerifiesWithTheRfcKey) {
    const auto key = rfc8037_public_key();
    EXPECT_EQ(key.type(), KeyType::ed25519);
    const auto [input, signature] = split(k_ed_jws);
    ASSERT_EQ(signature.size(), 64u);
    auto verified = key.verify(input, signature, JwsAlg::eddsa);
    EXPECT_TRUE(verified) << verified.error().message;
    // The fingerprint of the RFC key (sha256 of its SubjectPublicKeyInfo): stable across runs,
    // machines and OpenSSL versions; computed independently with python hashlib.
    EXPECT_EQ(key.fingerprint(),
              "06e3fd8fda29bb60ab59557de61edb0aecdb231134be30e75b455f8e1b792fa9");
    // One flipped bit anywhere fails.
    for (std::size_t i = 0; i < signature.size(); i += 7) {
        auto bad = signature;
        bad[i] = static_cast<char>(bad[i] ^ 0x01);
        EXPECT_EQ(key.verify(input, bad, JwsAlg::eddsa).error().code, reason::bad_signature);
    }
    EXPECT_FALSE(key.verify(input + "x", signature, JwsAlg::eddsa));
}

TEST(RfcVectors, Rfc8037PrivateKeyReproducesTheSignatureExactly) {
    // Ed25519 is deterministic: the RFC's private key must give the RFC's signature.
    lintel::test::TempDir dir("lintel-rfc");
    // PKCS #8 for Ed25519 (RFC 8410 §7): a fixed prefix, then the 32-byte seed d.
    const auto pem = pem_of("PRIVATE KEY", unhex("302e020100300506032b657004220420") + b64(k_ed_d));
    ASSERT_TRUE(lintel::test::write_file(dir / "rfc8037.key", pem, 0600));
    auto key = PrivateKey::from_pem_file(dir / "rfc8037.key");
    ASSERT_TRUE(key) << key.error().message;
    EXPECT_EQ(key->public_key().fingerprint(), rfc8037_public_key().fingerprint());
    const auto [input, signature] = split(k_ed_jws);
    auto mine = key->sign(input);
    ASSERT_TRUE(mine) << mine.error().message;
    EXPECT_EQ(base64url_encode(*mine), base64url_encode(signature));
}

TEST(RfcVectors, Rfc7515Es256ExampleVerifiesWithTheRfcKey) {
    const auto key = rfc7515_public_key();
    EXPECT_EQ(key.type(), KeyType::p256);
    const auto [input, signature] = split(k_ec_jws);
    ASSERT_EQ(signature.size(), 64u);  // raw R||S, not DER
    auto verified = key.verify(input, signature, JwsAlg::es256);
    EXPECT_TRUE(verified) << verified.error().message;
    EXPECT_EQ(key.fingerprint(),
              "2bd1bb0c44a897c30a7aa0991cde38d8062fe441de50da0f46825344f602e827");
    auto bad = signature;
    bad[40] = static_cast<char>(bad[40] ^ 0x80);
    EXPECT_EQ(key.verify(input, bad, JwsAlg::es256).error().code, reason::bad_signature);
    // The same signature under the other algorithm is refused before any verification.
    EXPECT_EQ(key.verify(input, signature, JwsAlg::eddsa).error().code, reason::unsupported_alg);
}

TEST(RfcVectors, TheRfcJwsTextsAreNotLintelMessages) {
    // They carry only "alg": lintel needs kid and typ, so parse_jws refuses them by design.
    auto ed = parse_jws(k_ed_jws, JwsType::command);
    ASSERT_FALSE(ed);
    EXPECT_EQ(ed.error().code, reason::malformed);
    EXPECT_EQ(ed.error().message, "header: has no \"kid\"");
    auto ec = parse_jws(k_ec_jws, JwsType::command);
    ASSERT_FALSE(ec);
    EXPECT_EQ(ec.error().message, "header: has no \"kid\"");
}

}  // namespace
}  // namespace lintel::commands

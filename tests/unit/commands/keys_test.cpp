// Keys: loading (PEM text, files, certificates) for Ed25519, P-256 and RSA, what is refused,
// private key file modes, fingerprints against openssl's, and JOSE signature shapes.
#include "commands/keys.hpp"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include "commands/reason_codes.hpp"
#include "commands_test_support.hpp"
#include "support/files.hpp"

namespace lintel::commands {
namespace {

using test::generated;

class KeysTest : public ::testing::Test {
protected:
    lintel::test::TempDir dir_{"lintel-keys"};
};

mode_t mode_of(const std::filesystem::path& path) {
    struct stat st {};
    ::stat(path.c_str(), &st);
    return st.st_mode & 07777;
}

TEST_F(KeysTest, LoadsEachSupportedTypeFromFilesPemAndCertificates) {
    struct Case {
        std::string spec;
        KeyType type;
        JwsAlg alg;
    };
    for (const auto& c : {Case{"ed25519", KeyType::ed25519, JwsAlg::eddsa},
                          Case{"p256", KeyType::p256, JwsAlg::es256},
                          Case{"rsa2048", KeyType::rsa, JwsAlg::rs256}}) {
        SCOPED_TRACE(c.spec);
        auto files = test::make_self_signed(dir_.path(), c.spec, c.spec, "gw-" + c.spec);
        ASSERT_TRUE(files) << files.error().message;
        auto pub_file = test::public_pem_of(dir_.path(), c.spec, files->key);
        ASSERT_TRUE(pub_file) << pub_file.error().message;
        auto expected_fingerprint = test::openssl_fingerprint(dir_.path(), files->key);
        ASSERT_TRUE(expected_fingerprint) << expected_fingerprint.error().message;

        auto from_file = PublicKey::from_pem_file(*pub_file);
        ASSERT_TRUE(from_file) << from_file.error().message;
        auto from_text = PublicKey::from_pem(lintel::test::read_file(*pub_file).value());
        ASSERT_TRUE(from_text) << from_text.error().message;
        auto from_cert = PublicKey::from_certificate_file(files->cert);
        ASSERT_TRUE(from_cert) << from_cert.error().message;
        auto private_key = PrivateKey::from_pem_file(files->key);
        ASSERT_TRUE(private_key) << private_key.error().message;

        const PublicKey* const keys[] = {&*from_file, &*from_text, &*from_cert,
                                         &private_key->public_key()};
        for (const PublicKey* key : keys) {
            EXPECT_EQ(key->type(), c.type);
            EXPECT_EQ(key->alg(), c.alg);
            // Same key, same fingerprint, whatever it was loaded from; and openssl agrees.
            EXPECT_EQ(key->fingerprint(), *expected_fingerprint);
        }
        // PEM out and back in is the same key.
        auto again = PublicKey::from_pem(from_file->to_pem());
        ASSERT_TRUE(again) << again.error().message;
        EXPECT_EQ(again->fingerprint(), from_file->fingerprint());
        EXPECT_EQ(again->spki_der(), from_file->spki_der());

        // A signature by the file's private key verifies with the certificate's public key.
        auto signature = private_key->sign("hello");
        ASSERT_TRUE(signature) << signature.error().message;
        EXPECT_TRUE(from_cert->verify("hello", *signature, c.alg));
        EXPECT_FALSE(from_cert->verify("hellp", *signature, c.alg));
    }
}

TEST_F(KeysTest, SignatureSizesAreTheJoseOnes) {
    const std::string data = "the signing input";
    auto ed = generated(KeyType::ed25519).sign(data);
    ASSERT_TRUE(ed);
    EXPECT_EQ(ed->size(), 64u);
    // ES256 is raw R||S (RFC 7518 §3.4), never DER; many signatures, so that short R or S
    // values (leading zero bytes) are covered by the padding.
    const auto p256 = generated(KeyType::p256);
    for (int i = 0; i < 200; ++i) {
        auto es = p256.sign(data + std::to_string(i));
        ASSERT_TRUE(es);
        ASSERT_EQ(es->size(), 64u);
        ASSERT_TRUE(p256.public_key().verify(data + std::to_string(i), *es, JwsAlg::es256));
    }
    auto rsa = test::make_private_key(dir_.path(), "rsa", "rsa2048");
    ASSERT_TRUE(rsa) << rsa.error().message;
    auto rsa_key = PrivateKey::from_pem_file(*rsa);
    ASSERT_TRUE(rsa_key) << rsa_key.error().message;
    auto rs = rsa_key->sign(data);
    ASSERT_TRUE(rs);
    EXPECT_EQ(rs->size(), 256u);
    EXPECT_EQ(rsa_key->public_key().bits(), 2048);
}

TEST_F(KeysTest, WrongLengthSignaturesAreBadSignaturesNotCrashes) {
    const auto ed = generated(KeyType::ed25519);
    const auto p256 = generated(KeyType::p256);
    for (std::size_t size : {0u, 1u, 63u, 65u, 70u, 72u, 128u}) {
        const std::string sig(size, '\x01');
        EXPECT_EQ(ed.public_key().verify("x", sig, JwsAlg::eddsa).error().code,
                  reason::bad_signature);
        EXPECT_EQ(p256.public_key().verify("x", sig, JwsAlg::es256).error().code,
                  reason::bad_signature);
    }
    // R = 0 and S = 0, and R, S >= the group order: refused, not accepted.
    EXPECT_FALSE(p256.public_key().verify("x", std::string(64, '\0'), JwsAlg::es256));
    EXPECT_FALSE(p256.public_key().verify("x", std::string(64, '\xff'), JwsAlg::es256));
    // A DER-encoded ECDSA signature (what OpenSSL produces natively) is not ES256.
    EXPECT_EQ(p256.public_key().verify("x", std::string(71, '\x30'), JwsAlg::es256).error().code,
              reason::bad_signature);
}

TEST_F(KeysTest, AKeyVerifiesOnlyItsOwnAlgorithm) {
    const auto ed = generated(KeyType::ed25519);
    const auto p256 = generated(KeyType::p256);
    const auto ed_sig = ed.sign("x").value();
    const auto es_sig = p256.sign("x").value();
    auto confused = ed.public_key().verify("x", ed_sig, JwsAlg::es256);
    ASSERT_FALSE(confused);
    EXPECT_EQ(confused.error().code, reason::unsupported_alg);
    EXPECT_NE(confused.error().message.find("an Ed25519 key verifies only EdDSA"),
              std::string::npos)
        << confused.error().message;
    EXPECT_EQ(p256.public_key().verify("x", es_sig, JwsAlg::eddsa).error().code,
              reason::unsupported_alg);
    EXPECT_EQ(p256.public_key().verify("x", es_sig, JwsAlg::rs256).error().code,
              reason::unsupported_alg);
    // And another key of the right type: a plain bad signature.
    EXPECT_EQ(
        generated(KeyType::ed25519).public_key().verify("x", ed_sig, JwsAlg::eddsa).error().code,
        reason::bad_signature);
}

TEST_F(KeysTest, RefusesUnsupportedKeys) {
    for (const auto& [spec, words] :
         {std::pair<std::string, std::string>{"p384", "secp384r1"}, {"rsa1024", "1024-bit RSA"}}) {
        auto key = test::make_private_key(dir_.path(), spec, spec);
        ASSERT_TRUE(key) << key.error().message;
        auto pub = test::public_pem_of(dir_.path(), spec, *key);
        ASSERT_TRUE(pub);
        auto loaded = PublicKey::from_pem_file(*pub);
        ASSERT_FALSE(loaded) << spec;
        EXPECT_EQ(loaded.error().code, error::key_unsupported);
        EXPECT_NE(loaded.error().message.find(words), std::string::npos) << loaded.error().message;
        auto private_loaded = PrivateKey::from_pem_file(*key);
        ASSERT_FALSE(private_loaded);
        EXPECT_EQ(private_loaded.error().code, error::key_unsupported);
    }
    EXPECT_EQ(PrivateKey::generate(KeyType::rsa).error().code, error::key_unsupported);
}

TEST_F(KeysTest, RefusesGarbageAndNamesTheFile) {
    EXPECT_EQ(PublicKey::from_pem("").error().code, error::key_invalid);
    EXPECT_EQ(PublicKey::from_pem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")
                  .error()
                  .code,
              error::key_invalid);
    EXPECT_EQ(PublicKey::from_spki_der("\x30\x03\x02\x01\x01").error().code, error::key_invalid);
    // Trailing bytes after a valid SubjectPublicKeyInfo.
    const auto der = generated(KeyType::ed25519).public_key().spki_der();
    EXPECT_TRUE(PublicKey::from_spki_der(der));
    EXPECT_FALSE(PublicKey::from_spki_der(der + "x"));

    auto cert = test::make_self_signed(dir_.path(), "c", "p256", "gw");
    ASSERT_TRUE(cert);
    auto as_key = PublicKey::from_pem(lintel::test::read_file(cert->cert).value());
    ASSERT_FALSE(as_key);
    EXPECT_NE(as_key.error().message.find("got a certificate"), std::string::npos);

    auto missing = PublicKey::from_pem_file(dir_ / "nope.pub");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, error::key_unreadable);
    EXPECT_NE(missing.error().message.find((dir_ / "nope.pub").string()), std::string::npos);
    auto directory = PrivateKey::from_pem_file(dir_.path());
    ASSERT_FALSE(directory);
    EXPECT_NE(directory.error().message.find("not a regular file"), std::string::npos);
}

TEST_F(KeysTest, PrivateKeyReadableByOthersIsRefusedNamingPathAndFix) {
    auto key = test::make_private_key(dir_.path(), "k", "ed25519");
    ASSERT_TRUE(key);
    for (mode_t mode : {0644u, 0640u, 0604u, 0660u, 0601u, 0620u}) {
        ::chmod(key->c_str(), mode);
        auto loaded = PrivateKey::from_pem_file(*key);
        ASSERT_FALSE(loaded) << std::oct << mode;
        EXPECT_EQ(loaded.error().code, error::key_insecure);
        const auto& m = loaded.error().message;
        EXPECT_NE(m.find(key->string()), std::string::npos) << m;
        EXPECT_NE(m.find("chmod 600 " + key->string()), std::string::npos) << m;
    }
    ::chmod(key->c_str(), 0644);
    EXPECT_NE(PrivateKey::from_pem_file(*key).error().message.find("mode 0644"), std::string::npos);
    for (mode_t mode : {0600u, 0400u}) {
        ::chmod(key->c_str(), mode);
        EXPECT_TRUE(PrivateKey::from_pem_file(*key)) << std::oct << mode;
    }
}

TEST_F(KeysTest, EncryptedPrivateKeyIsRefusedWithoutPrompting) {
    const auto path = dir_ / "enc.key";
    auto made = test::run({"openssl", "genpkey", "-algorithm", "ED25519", "-aes-256-cbc", "-pass",
                           "pass:secret", "-out", path.string()},
                          dir_.path());
    ASSERT_TRUE(made && made->code == 0);
    ::chmod(path.c_str(), 0600);
    // stdin is a test's, not a terminal's; a prompt would hang or fail differently.
    auto loaded = PrivateKey::from_pem_file(path);
    ASSERT_FALSE(loaded);
    EXPECT_EQ(loaded.error().code, error::key_unsupported);
    EXPECT_NE(loaded.error().message.find("encrypted"), std::string::npos);
}

TEST_F(KeysTest, SavedPrivateKeyIs0600AndNeverOverwritten) {
    const auto key = generated(KeyType::p256);
    const auto path = dir_ / "saved.key";
    const mode_t old_umask = ::umask(0);  // even a permissive umask gets 0600
    auto saved = key.save_pem(path);
    ::umask(old_umask);
    ASSERT_TRUE(saved) << saved.error().message;
    EXPECT_EQ(mode_of(path), 0600u);
    auto loaded = PrivateKey::from_pem_file(path);
    ASSERT_TRUE(loaded) << loaded.error().message;
    EXPECT_EQ(loaded->public_key().fingerprint(), key.public_key().fingerprint());
    EXPECT_TRUE(key.public_key().verify("m", loaded->sign("m").value(), JwsAlg::es256));
    // openssl reads what we wrote (PKCS #8) and computes the same fingerprint.
    EXPECT_EQ(test::openssl_fingerprint(dir_.path(), path).value_or("?"),
              key.public_key().fingerprint());

    const auto before = lintel::test::read_file(path).value();
    auto again = generated(KeyType::p256).save_pem(path);
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, error::file_exists);
    EXPECT_EQ(lintel::test::read_file(path).value(), before);
    // Nor through a symlink.
    std::filesystem::create_symlink(dir_ / "elsewhere.key", dir_ / "link.key");
    EXPECT_FALSE(key.save_pem(dir_ / "link.key"));
    EXPECT_FALSE(std::filesystem::exists(dir_ / "elsewhere.key"));
}

TEST_F(KeysTest, GeneratedKeysDifferAndFingerprintsAreHex) {
    const auto a = generated(KeyType::ed25519);
    const auto b = generated(KeyType::ed25519);
    EXPECT_NE(a.public_key().fingerprint(), b.public_key().fingerprint());
    for (const auto& key : {a, b, generated(KeyType::p256)}) {
        const auto& fp = key.public_key().fingerprint();
        ASSERT_EQ(fp.size(), 64u);
        EXPECT_EQ(fp.find_first_not_of("0123456789abcdef"), std::string::npos) << fp;
        EXPECT_NE(key.public_key().to_pem().find("-----BEGIN PUBLIC KEY-----"), std::string::npos);
    }
}

TEST(KeyNames, AlgorithmsAndTypes) {
    EXPECT_EQ(parse_alg("EdDSA"), JwsAlg::eddsa);
    EXPECT_EQ(parse_alg("ES256"), JwsAlg::es256);
    EXPECT_EQ(parse_alg("RS256"), JwsAlg::rs256);
    for (const char* name : {"none", "HS256", "eddsa", "Ed25519", "ES384", "PS256", ""}) {
        EXPECT_FALSE(parse_alg(name)) << name;
    }
    EXPECT_EQ(alg_for(KeyType::ed25519), JwsAlg::eddsa);
    EXPECT_EQ(alg_for(KeyType::p256), JwsAlg::es256);
    EXPECT_EQ(alg_for(KeyType::rsa), JwsAlg::rs256);
}

}  // namespace
}  // namespace lintel::commands

// The CMS envelope: round trips to EC and RSA gateways, interop with `openssl cms` both ways,
// refusals (another recipient, another gateway, expired, outside the profile), and a changed byte
// anywhere in an envelope refused rather than decrypted.
#include "credentials/envelope.hpp"

#include <gtest/gtest.h>

#include <map>

#include "commands/base64url.hpp"
#include "credentials/envelope_profile.hpp"
#include "credentials/reason_codes.hpp"
#include "credentials_test_support.hpp"

namespace lintel::credentials {
namespace {

using namespace test;

std::string encrypted(const Bundle& bundle, const std::filesystem::path& cert) {
    auto text = encrypt_bundle(bundle, text_of(cert));
    EXPECT_TRUE(text) << text.error().message;
    return text.value_or("");
}

std::string der_of(std::string_view base64) { return commands::base64_decode(base64).value(); }

class EnvelopeTest : public ::testing::Test {
protected:
    const TestPki& pki_ = TestPki::get();
    lintel::test::TempDir dir_{"lintel-cred-envelope"};

    // `openssl ARGS...` in the test directory; a test failure when it exits non-zero.
    commands::test::RunResult openssl(std::vector<std::string> args) {
        args.insert(args.begin(), "openssl");
        auto r = commands::test::run(args, dir_.path());
        EXPECT_TRUE(r) << r.error().message;
        if (!r) return {};
        EXPECT_EQ(r->code, 0) << r->err;
        return *r;
    }
};

TEST_F(EnvelopeTest, RoundTripsToAnEcGateway) {
    for (const Bundle& original :
         {eap_tls_bundle(), peap_bundle(), ttls_wifi_bundle(), wifi_psk_bundle()}) {
        const std::string text = encrypted(original, pki_.pki.gateway.cert);
        EXPECT_EQ(text.find_first_of("\n\r -_"), std::string::npos) << "one line of base64";
        auto opened = open_bundle(text, gateway_identity(), k_issued_at);
        ASSERT_TRUE(opened) << original.id << ": " << opened.error().message;
        EXPECT_TRUE(*opened == original) << original.id;
    }
}

TEST_F(EnvelopeTest, RoundTripsToAnRsaGateway) {
    const Bundle original = eap_tls_bundle("gw-rsa-001");
    const std::string text = encrypted(original, pki_.rsa_gateway.cert);
    auto opened = open_bundle(text, rsa_gateway_identity(), k_issued_at);
    ASSERT_TRUE(opened) << opened.error().message;
    EXPECT_TRUE(*opened == original);
}

TEST_F(EnvelopeTest, UsesTheDocumentedAlgorithms) {
    ASSERT_TRUE(lintel::test::write_file(
        dir_ / "ec.der", der_of(encrypted(wifi_psk_bundle(), pki_.pki.gateway.cert))));
    const std::string ec =
        openssl({"cms", "-cmsout", "-print", "-inform", "DER", "-in", "ec.der"}).out;
    for (const char* name : {"id-smime-ct-authEnvelopedData", "dhSinglePass-stdDH-sha256kdf-scheme",
                             "id-aes256-wrap", "aes-256-gcm", "pkcs7-data"}) {
        EXPECT_NE(ec.find(name), std::string::npos) << name << " in\n" << ec;
    }
    ASSERT_TRUE(lintel::test::write_file(
        dir_ / "rsa.der", der_of(encrypted(wifi_psk_bundle("gw-rsa-001"), pki_.rsa_gateway.cert))));
    const std::string rsa =
        openssl({"cms", "-cmsout", "-print", "-inform", "DER", "-in", "rsa.der"}).out;
    for (const char* name : {"rsaesOaep", "sha256", "mgf1", "aes-256-gcm"}) {
        EXPECT_NE(rsa.find(name), std::string::npos) << name << " in\n" << rsa;
    }
}

TEST_F(EnvelopeTest, OpensslDecryptsWhatWeMake) {
    const std::pair<std::string, commands::test::CertFiles> cases[] = {
        {std::string(k_gateway_id), {pki_.pki.gateway.cert, pki_.pki.gateway.key}},
        {"gw-rsa-001", pki_.rsa_gateway}};
    for (const auto& [gateway, files] : cases) {
        const Bundle bundle = peap_bundle(gateway);
        ASSERT_TRUE(
            lintel::test::write_file(dir_ / "ours.der", der_of(encrypted(bundle, files.cert))));
        auto out = openssl({"cms", "-decrypt", "-inform", "DER", "-in", "ours.der", "-recip",
                            files.cert.string(), "-inkey", files.key.string()});
        EXPECT_EQ(out.out, bundle_json(bundle).value().reveal()) << gateway;
    }
}

TEST_F(EnvelopeTest, OpensWhatOpensslMakes) {
    const Bundle bundle = eap_tls_bundle();
    ASSERT_TRUE(
        lintel::test::write_file(dir_ / "bundle.json", bundle_json(bundle).value().reveal(), 0600));
    const Bundle rsa_bundle = eap_tls_bundle("gw-rsa-001");
    ASSERT_TRUE(lintel::test::write_file(dir_ / "rsa-bundle.json",
                                         bundle_json(rsa_bundle).value().reveal(), 0600));
    struct Case {
        std::string name;
        std::vector<std::string> args;
        bool rsa;
    };
    const Case cases[] = {
        // OpenSSL's defaults: SHA-1 in the ECDH KDF, PKCS #1 v1.5 for RSA.
        {"ec-default", {"-recip", pki_.pki.gateway.cert.string()}, false},
        {"ec-sha384kdf",
         {"-recip", pki_.pki.gateway.cert.string(), "-keyopt", "ecdh_kdf_md:sha384"},
         false},
        {"rsa-pkcs1", {"-recip", pki_.rsa_gateway.cert.string()}, true},
        {"rsa-oaep",
         {"-recip", pki_.rsa_gateway.cert.string(), "-keyopt", "rsa_padding_mode:oaep"},
         true},
    };
    for (const auto& c : cases) {
        std::vector<std::string> args{"cms",          "-encrypt",
                                      "-aes-256-gcm", "-binary",
                                      "-in",          c.rsa ? "rsa-bundle.json" : "bundle.json",
                                      "-outform",     "DER",
                                      "-out",         c.name + ".der"};
        args.insert(args.end(), c.args.begin(), c.args.end());
        openssl(args);
        const std::string text =
            commands::base64_encode(lintel::test::read_file(dir_ / (c.name + ".der")).value());
        auto opened = c.rsa ? open_bundle(text, rsa_gateway_identity(), k_issued_at)
                            : open_bundle(text, gateway_identity(), k_issued_at);
        ASSERT_TRUE(opened) << c.name << ": " << opened.error().message;
        EXPECT_TRUE(*opened == (c.rsa ? rsa_bundle : bundle)) << c.name;
    }
}

TEST_F(EnvelopeTest, OpensAnEnvelopeForSeveralRecipients) {
    // One bundle for a gateway that has a P-256 and an RSA certificate (a renewal in progress).
    ASSERT_TRUE(lintel::test::write_file(dir_ / "b.json",
                                         bundle_json(wifi_psk_bundle()).value().reveal(), 0600));
    openssl({"cms", "-encrypt", "-aes-256-gcm", "-binary", "-in", "b.json", "-outform", "DER",
             "-out", "two.der", "-recip", pki_.rsa_gateway.cert.string(), "-recip",
             pki_.pki.gateway.cert.string()});
    const std::string text =
        commands::base64_encode(lintel::test::read_file(dir_ / "two.der").value());
    EXPECT_TRUE(decrypt_envelope(text, gateway_identity()));
    EXPECT_TRUE(decrypt_envelope(text, rsa_gateway_identity()));
    auto other = decrypt_envelope(text, lookalike_identity());
    ASSERT_FALSE(other);
    EXPECT_EQ(other.error().code, reason::not_for_us);
}

TEST_F(EnvelopeTest, RefusesAnEnvelopeForAnotherKey) {
    const std::string for_gateway = encrypted(wifi_psk_bundle(), pki_.pki.gateway.cert);
    for (const DeviceIdentity& other : {rsa_gateway_identity(), lookalike_identity()}) {
        auto r = decrypt_envelope(for_gateway, other);
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().code, reason::not_for_us) << r.error().message;
    }
    // Same CN, another key: the look-alike's envelope does not open on the real gateway.
    auto r = decrypt_envelope(encrypted(wifi_psk_bundle(), pki_.lookalike_gateway.cert),
                              gateway_identity());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, reason::not_for_us);
    EXPECT_NE(r.error().message.find("no recipient is this gateway's certificate"),
              std::string::npos);
}

TEST_F(EnvelopeTest, RefusesABundleForAnotherGatewayThatDecrypts) {
    // Encrypted to our certificate, but the bundle inside names another gateway.
    const std::string text = encrypted(peap_bundle("gw-cred-002"), pki_.pki.gateway.cert);
    EXPECT_TRUE(decrypt_envelope(text, gateway_identity()));
    auto r = open_bundle(text, gateway_identity(), k_issued_at);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, reason::wrong_gateway);
    EXPECT_EQ(r.error().message.find(k_password), std::string::npos);
}

TEST_F(EnvelopeTest, RefusesAnExpiredBundle) {
    const Bundle b = peap_bundle();
    auto r =
        open_bundle(encrypted(b, pki_.pki.gateway.cert), gateway_identity(), *b.expires_at_ms + 1);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, reason::expired);
}

TEST_F(EnvelopeTest, RefusesAChangedByteAnywhere) {
    struct Case {
        std::string name;
        std::string der;
        DeviceIdentity identity;
    };
    const Case cases[] = {
        {"ec", der_of(encrypted(wifi_psk_bundle(), pki_.pki.gateway.cert)), gateway_identity()},
        {"rsa", der_of(encrypted(wifi_psk_bundle("gw-rsa-001"), pki_.rsa_gateway.cert)),
         rsa_gateway_identity()},
    };
    for (const auto& c : cases) {
        ASSERT_TRUE(decrypt_envelope(commands::base64_encode(c.der), c.identity));
        std::map<std::string, int> codes;
        for (std::size_t i = 0; i < c.der.size(); ++i) {
            for (int bit : {0x01, 0x80}) {
                std::string changed = c.der;
                changed[i] = static_cast<char>(static_cast<unsigned char>(changed[i]) ^ bit);
                auto r = decrypt_envelope(commands::base64_encode(changed), c.identity);
                ASSERT_FALSE(r) << c.name << ": byte " << i << " ^ " << bit << " accepted";
                EXPECT_EQ(r.error().message.find(k_psk), std::string::npos);
                ++codes[r.error().code];
            }
        }
        // The payload and tag bytes fail authentication; the structure fails the profile.
        EXPECT_GT(codes[std::string(reason::tampered)], 100) << c.name;
        EXPECT_GT(codes[std::string(reason::malformed)], 10) << c.name;
        EXPECT_GT(codes[std::string(reason::not_for_us)], 10) << c.name;
        for (const auto& [code, count] : codes) {
            const bool known = code == reason::tampered || code == reason::malformed ||
                               code == reason::not_for_us || code == reason::unsupported;
            EXPECT_TRUE(known) << c.name << ": " << code << " x" << count;
        }
        // Cut short anywhere, or with a byte appended: refused too.
        for (std::size_t length = 0; length < c.der.size(); ++length) {
            EXPECT_FALSE(
                decrypt_envelope(commands::base64_encode(c.der.substr(0, length)), c.identity))
                << c.name << " cut to " << length;
        }
        EXPECT_FALSE(decrypt_envelope(commands::base64_encode(c.der + '\0'), c.identity));
    }
}

TEST_F(EnvelopeTest, RefusesWhatIsNotAnEnvelope) {
    auto code_of = [](std::string_view text) {
        auto r = decrypt_envelope(text, gateway_identity());
        EXPECT_FALSE(r) << text.substr(0, 40);
        return r ? std::string("ok") : r.error().code + ": " + r.error().message;
    };
    EXPECT_NE(code_of("").find("cred.malformed: envelope: ContentInfo: missing"),
              std::string::npos);
    EXPECT_NE(code_of("not base64!").find("cred.malformed: envelope: "), std::string::npos);
    const std::string good = encrypted(wifi_psk_bundle(), pki_.pki.gateway.cert);
    EXPECT_NE(code_of(good + "\n").find("cred.malformed"), std::string::npos);
    EXPECT_NE(code_of(commands::base64_encode("\x30\x03\x02\x01\x00")).find("cred.malformed"),
              std::string::npos);
    EXPECT_NE(code_of(std::string(k_max_envelope_bytes + 4, 'A')).find("cred.too_large"),
              std::string::npos);

    // AES-CBC EnvelopedData is standard CMS too, but nothing authenticates its content.
    ASSERT_TRUE(lintel::test::write_file(dir_ / "b.json",
                                         bundle_json(wifi_psk_bundle()).value().reveal(), 0600));
    openssl({"cms", "-encrypt", "-aes-256-cbc", "-binary", "-in", "b.json", "-outform", "DER",
             "-out", "cbc.der", "-recip", pki_.pki.gateway.cert.string()});
    const std::string cbc =
        code_of(commands::base64_encode(lintel::test::read_file(dir_ / "cbc.der").value()));
    EXPECT_NE(cbc.find("cred.unsupported: envelope: contentType: must be "
                       "id-ct-authEnvelopedData"),
              std::string::npos)
        << cbc;
    // AES-128-GCM (with its AES-128 key wrap) is outside the profile.
    openssl({"cms", "-encrypt", "-aes-128-gcm", "-binary", "-in", "b.json", "-outform", "DER",
             "-out", "gcm128.der", "-recip", pki_.pki.gateway.cert.string()});
    const std::string gcm128 =
        code_of(commands::base64_encode(lintel::test::read_file(dir_ / "gcm128.der").value()));
    EXPECT_NE(gcm128.find("cred.unsupported: envelope: recipientInfos[0].kari."
                          "keyEncryptionAlgorithm.parameters: must be id-aes256-wrap"),
              std::string::npos)
        << gcm128;
}

TEST(EnvelopeProfile, RefusesNonDerLengths) {
    // A minimal ContentInfo header, then the same with a long-form length for a short value
    // and with an indefinite length.
    auto message = [](std::string_view der) {
        auto r = check_envelope_profile(der);
        return r ? std::string("ok") : r.error().message;
    };
    EXPECT_NE(message(std::string("\x30\x81\x03\x06\x01\x00", 6)).find("shortest form"),
              std::string::npos);
    EXPECT_NE(message(std::string("\x30\x80\x06\x01\x00\x00\x00", 7)).find("indefinite"),
              std::string::npos);
    EXPECT_NE(message(std::string("\x30\x05\x06\x01\x00", 5)).find("declares 5 bytes"),
              std::string::npos);
    EXPECT_NE(message(std::string("\x30\x00\x00", 3)).find("unexpected data after"),
              std::string::npos);
    EXPECT_NE(message(std::string("\x1f\x00", 2)).find("high tag number"), std::string::npos);
}

TEST(EnvelopeEncrypt, RefusesARecipientWithoutAUsableKey) {
    const auto& p = TestPki::get();
    auto ed = commands::test::make_self_signed(p.dir, "gw-ed", "ed25519", "gw-ed");
    ASSERT_TRUE(ed) << ed.error().message;
    auto r = encrypt_envelope(Secret("x"), text_of(ed->cert));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, error::key_unsupported);
    EXPECT_NE(r.error().message.find("ED25519"), std::string::npos) << r.error().message;
    EXPECT_EQ(encrypt_envelope(Secret("x"), "no cert").error().code, error::identity);
}

}  // namespace
}  // namespace lintel::credentials

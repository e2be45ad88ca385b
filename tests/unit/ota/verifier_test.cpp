// verify_manifest (signatures with Ed25519 and P-256, RSA and foreign algorithms refused,
// unknown and revoked keys, tampering, a command JWS offered as a manifest, expiry, size) and
// check_applicable (target, handler, size, floor, installed version).
#include "ota/manifest_verifier.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "commands/base64url.hpp"
#include "commands/jws.hpp"
#include "commands_test_support.hpp"
#include "ota/reason_codes.hpp"
#include "support/files.hpp"

namespace lintel::ota {
namespace {

using commands::KeyType;
using commands::PrivateKey;
using commands::test::generated;

constexpr std::int64_t k_now = 1'750'000'000'000;

Manifest sample() {
    Manifest m;
    m.id = "lintel-1.4.2-1";
    m.component = "lintel";
    m.version = "1.4.2-1";
    m.handler = "deb";
    m.target.product = "lintel-gw";
    m.target.hardware = {"rev-b", "rev-c"};
    m.artifacts = {
        Artifact{"lintel.deb", "https://u.example/lintel.deb", std::string(64, 'a'), 1000}};
    m.issued_at_ms = k_now - 1000;
    return m;
}

class VerifyManifestTest : public ::testing::Test {
protected:
    ReleaseKeys keys() const {
        return ReleaseKeys({ReleaseKey{"rel-ed", ed_.public_key(), false},
                            ReleaseKey{"rel-p256", p256_.public_key(), false},
                            ReleaseKey{"rel-old", old_.public_key(), true}});
    }
    std::string sign(const Manifest& m, std::string_view kid, const PrivateKey& key) {
        auto text = sign_manifest(m, kid, key);
        EXPECT_TRUE(text) << text.error().message;
        return text.value_or("");
    }
    std::string code_of(std::string_view text) {
        auto m = verify_manifest(text, keys(), k_now);
        return m ? "ok" : m.error().code;
    }
    std::string message_of(std::string_view text) {
        auto m = verify_manifest(text, keys(), k_now);
        return m ? "ok" : m.error().message;
    }

    PrivateKey ed_ = generated(KeyType::ed25519);
    PrivateKey p256_ = generated(KeyType::p256);
    PrivateKey old_ = generated(KeyType::ed25519);
    PrivateKey stranger_ = generated(KeyType::ed25519);
};

TEST_F(VerifyManifestTest, AcceptsEd25519AndP256) {
    for (auto [kid, key] : {std::pair{"rel-ed", &ed_}, std::pair{"rel-p256", &p256_}}) {
        auto m = verify_manifest(sign(sample(), kid, *key), keys(), k_now);
        ASSERT_TRUE(m) << m.error().message;
        EXPECT_EQ(m->kid, kid);
        EXPECT_EQ(m->alg, key->alg());
        EXPECT_EQ(m->version, "1.4.2-1");
        Manifest expected = sample();
        expected.kid = m->kid;
        expected.alg = m->alg;
        EXPECT_EQ(*m, expected);
    }
}

TEST_F(VerifyManifestTest, UnknownAndRevokedKeys) {
    EXPECT_EQ(code_of(sign(sample(), "rel-new", stranger_)), reason::unknown_key);
    EXPECT_EQ(message_of(sign(sample(), "rel-new", stranger_)),
              "release key \"rel-new\" is not in ota.release_keys");
    EXPECT_EQ(code_of(sign(sample(), "rel-old", old_)), reason::revoked_key);
}

TEST_F(VerifyManifestTest, BadSignatures) {
    // A trusted kid, someone else's key.
    EXPECT_EQ(code_of(sign(sample(), "rel-ed", stranger_)), reason::bad_signature);
    // An Ed25519 kid with an ES256 signature: no algorithm confusion.
    EXPECT_EQ(code_of(sign(sample(), "rel-ed", p256_)), reason::unsupported_alg);
    // Any byte of the payload changed.
    const std::string good = sign(sample(), "rel-ed", ed_);
    const auto first_dot = good.find('.');
    for (std::size_t i : {first_dot + 1, first_dot + 20, good.rfind('.') - 1}) {
        const std::string tampered = commands::test::with_char_changed(good, i);
        const auto code = code_of(tampered);
        EXPECT_TRUE(code == reason::bad_signature || code == reason::malformed) << i << " " << code;
        EXPECT_NE(code, "ok");
    }
    // A payload swapped for another one (a higher version) under the same signature.
    Manifest other = sample();
    other.version = "9.9.9";
    const std::string donor = sign(other, "rel-ed", ed_);
    const std::string swapped = good.substr(0, first_dot) +
                                donor.substr(donor.find('.'), donor.rfind('.') - donor.find('.')) +
                                good.substr(good.rfind('.'));
    EXPECT_EQ(code_of(swapped), reason::bad_signature);
}

TEST_F(VerifyManifestTest, OnlyEdDsaAndEs256) {
    lintel::test::TempDir dir("lintel-ota-rsa");
    auto rsa_file = commands::test::make_private_key(dir.path(), "rsa", "rsa2048");
    ASSERT_TRUE(rsa_file) << rsa_file.error().message;
    auto rsa = PrivateKey::from_pem_file(*rsa_file);
    ASSERT_TRUE(rsa) << rsa.error().message;
    // make_jws refuses to sign a manifest with RSA at all...
    auto refused = sign_manifest(sample(), "rel-rsa", *rsa);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, error::bad_input);
    // ...and a gateway refuses one made by hand, even for a key it lists.
    auto payload = manifest_payload(sample());
    ASSERT_TRUE(payload);
    auto text = commands::sign_compact(
        R"({"alg":"RS256","kid":"rel-ed","typ":"lintel-manifest+jws"})", *payload, *rsa);
    ASSERT_TRUE(text);
    EXPECT_EQ(code_of(*text), reason::unsupported_alg);
    for (const char* alg : {"none", "HS256", "ES384", "PS256"}) {
        auto forged = commands::sign_compact(
            std::string(R"({"alg":")") + alg + R"(","kid":"rel-ed","typ":"lintel-manifest+jws"})",
            *payload, ed_);
        ASSERT_TRUE(forged);
        EXPECT_EQ(code_of(*forged), reason::unsupported_alg) << alg;
    }
}

TEST_F(VerifyManifestTest, ACommandIsNotAManifest) {
    auto payload = manifest_payload(sample());
    ASSERT_TRUE(payload);
    for (auto type : {commands::JwsType::command, commands::JwsType::result}) {
        auto text = commands::make_jws(type, "rel-ed", *payload, ed_);
        ASSERT_TRUE(text);
        EXPECT_EQ(code_of(*text), reason::malformed);
        EXPECT_EQ(message_of(*text), "header.typ: must be \"lintel-manifest+jws\"");
    }
    // Nor is a manifest ever a command or a result, though signed by a key the gateway knows.
    const std::string manifest = sign(sample(), "rel-ed", ed_);
    for (auto type : {commands::JwsType::command, commands::JwsType::result}) {
        auto jws = commands::parse_jws(manifest, type);
        ASSERT_FALSE(jws);
        EXPECT_EQ(jws.error().code, "cmd.malformed");
    }
    // A header with a key in it is refused: keys come from ota.release_keys only.
    auto with_jwk = commands::sign_compact(
        R"({"alg":"EdDSA","kid":"rel-ed","typ":"lintel-manifest+jws","jwk":{}})", *payload, ed_);
    ASSERT_TRUE(with_jwk);
    EXPECT_EQ(code_of(*with_jwk), reason::malformed);
}

TEST_F(VerifyManifestTest, MalformedPayloadIsRefusedAfterTheSignature) {
    auto text = commands::make_jws(commands::JwsType::manifest, "rel-ed",
                                   R"({"v":1,"id":"x","extra":1})", ed_);
    ASSERT_TRUE(text);
    EXPECT_EQ(code_of(*text), reason::malformed);
    EXPECT_NE(message_of(*text).find("unknown key \"extra\""), std::string::npos);
    // Unsigned garbage never reaches the payload parser: the key is checked first.
    auto unknown = commands::make_jws(commands::JwsType::manifest, "nobody",
                                      R"({"v":1,"id":"x","extra":1})", stranger_);
    ASSERT_TRUE(unknown);
    EXPECT_EQ(code_of(*unknown), reason::unknown_key);
}

TEST_F(VerifyManifestTest, ExpiryAndSize) {
    Manifest m = sample();
    m.expires_at_ms = k_now;
    EXPECT_EQ(code_of(sign(m, "rel-ed", ed_)), reason::expired);
    m.expires_at_ms = k_now + 1;
    EXPECT_EQ(code_of(sign(m, "rel-ed", ed_)), "ok");
    EXPECT_EQ(code_of(std::string(k_max_manifest_bytes + 1, 'a')), reason::malformed);
    EXPECT_NE(message_of(std::string(k_max_manifest_bytes + 1, 'a')).find("the limit is 65536"),
              std::string::npos);
    EXPECT_EQ(code_of("a.b"), reason::malformed);
    EXPECT_EQ(code_of(""), reason::malformed);
}

TEST_F(VerifyManifestTest, SignerRefusesAnOversizeManifest) {
    Manifest m = sample();
    for (int i = 0; i < 20; ++i) m.params["p" + std::to_string(i)] = std::string(4000, 'x');
    auto text = sign_manifest(m, "rel-ed", ed_);
    ASSERT_FALSE(text);
    EXPECT_NE(text.error().message.find("at most 65536"), std::string::npos);
}

// check_applicable ----------------------------------------------------------------------------

const std::vector<std::string> k_handlers{"deb", "file"};
const GatewayFacts k_gateway{"gw-001", "lintel-gw", "rev-b"};

std::string applicable(const Manifest& m, std::optional<std::string> installed = std::nullopt,
                       std::optional<std::string> floor = std::nullopt,
                       const GatewayFacts& gateway = k_gateway,
                       std::uint64_t max_size = 1'000'000) {
    auto r = check_applicable(m, gateway, installed, floor, k_handlers, max_size);
    return r ? "ok" : r.error().code;
}

TEST(CheckApplicable, Target) {
    Manifest m = sample();
    EXPECT_EQ(applicable(m), "ok");
    EXPECT_EQ(applicable(m, {}, {}, {"gw-001", "other-product", "rev-b"}), reason::wrong_target);
    EXPECT_EQ(applicable(m, {}, {}, {"gw-001", "lintel-gw", "rev-a"}), reason::wrong_target);
    m.target.gateways = std::vector<std::string>{"gw-002", "gw-003"};
    EXPECT_EQ(applicable(m), reason::wrong_target);
    auto r = check_applicable(m, k_gateway, std::nullopt, std::nullopt, k_handlers, 1'000'000);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message,
              "release \"lintel-1.4.2-1\" (lintel 1.4.2-1) does not list gateway \"gw-001\" in "
              "target.gateways");
    m.target.gateways->push_back("gw-001");
    EXPECT_EQ(applicable(m), "ok");
}

TEST(CheckApplicable, HandlerAndSize) {
    Manifest m = sample();
    m.handler = "script";
    EXPECT_EQ(applicable(m), reason::handler_not_allowed);
    m.handler = "file";
    EXPECT_EQ(applicable(m), "ok");
    m.artifacts.push_back(
        Artifact{"big.img", "https://u.example/big.img", std::string(64, 'b'), 1'000'001});
    EXPECT_EQ(applicable(m), reason::too_large);
    EXPECT_EQ(applicable(m, {}, {}, k_gateway, 1'000'001), "ok");
}

struct VersionRow {
    std::string version;
    std::optional<std::string> min_version;
    bool allow_downgrade;
    std::optional<std::string> installed;
    std::optional<std::string> floor;
    std::string expected;
};

TEST(CheckApplicable, VersionsFloorAndDowngrade) {
    const std::vector<VersionRow> table{
        {"1.4.2-1", {}, false, {}, {}, "ok"},         // first install
        {"1.4.2-1", {}, false, "1.4.1-3", {}, "ok"},  // upgrade
        {"1.10.0", {}, false, "1.9.3", {}, "ok"},     // numeric, not text
        {"1.4.2-1", {}, false, "1.4.2-1", {}, "ota.already_installed"},
        {"1.4.2", {}, false, "1.4.2-0", {}, "ota.already_installed"},  // equal for dpkg
        {"1.4.2-1", {}, true, "1.4.2-1", {}, "ota.already_installed"},
        {"1.4.1", {}, false, "1.4.2-1", {}, "ota.downgrade"},
        {"1.5.0~rc1", {}, false, "1.5.0", {}, "ota.downgrade"},      // a pre-release is older
        {"1.4.1", {}, true, "1.4.2-1", {}, "ok"},                    // signed permission
        {"1.4.1", {}, true, "1.4.2-1", "1.4.0", "ok"},               // above the floor
        {"1.4.1", {}, true, "1.4.2-1", "1.4.2", "ota.below_floor"},  // never below the floor
        {"1.4.1", {}, false, {}, "1.4.2", "ota.below_floor"},
        {"1.4.2", {}, false, {}, "1.4.2", "ok"},  // at the floor
        {"1.4.2", "1.4.2", false, "1.4.0", "1.0", "ok"},
        {"2.0", "2.0", false, "1.0", "2.1", "ota.below_floor"},  // the committed floor wins
        {"1:0.1", {}, false, "9.9", {}, "ok"},                   // epoch
    };
    for (const auto& row : table) {
        Manifest m = sample();
        m.version = row.version;
        m.min_version = row.min_version;
        m.allow_downgrade = row.allow_downgrade;
        EXPECT_EQ(applicable(m, row.installed, row.floor), row.expected)
            << row.version << " installed " << row.installed.value_or("-") << " floor "
            << row.floor.value_or("-") << (row.allow_downgrade ? " allow_downgrade" : "");
    }
}

TEST(CheckApplicable, NextFloorNeverGoesDown) {
    Manifest m = sample();
    EXPECT_EQ(next_floor(m, std::nullopt), std::nullopt);
    EXPECT_EQ(next_floor(m, "1.0"), "1.0");
    m.min_version = "1.2";
    EXPECT_EQ(next_floor(m, std::nullopt), "1.2");
    EXPECT_EQ(next_floor(m, "1.10"), "1.10");
    EXPECT_EQ(next_floor(m, "1.1"), "1.2");
}

}  // namespace
}  // namespace lintel::ota

// Compact JWS: structure, header rules (alg allow-list, no key-bearing members), signatures
// from other keys, tampering anywhere, algorithm confusion, sizes.
#include "commands/jws.hpp"

#include <gtest/gtest.h>

#include "commands/base64url.hpp"
#include "commands/reason_codes.hpp"
#include "commands_test_support.hpp"
#include "support/files.hpp"

namespace lintel::commands {
namespace {

using test::generated;

constexpr std::string_view k_payload = R"({"hello":"world"})";

class JwsTest : public ::testing::Test {
protected:
    // A JWS with an arbitrary header, validly signed by `key` (default: ed_).
    std::string signed_with_header(std::string_view header, const PrivateKey* key = nullptr) {
        return sign_compact(header, k_payload, key != nullptr ? *key : ed_).value();
    }
    std::string code_of(std::string_view text, JwsType type = JwsType::command) {
        auto jws = parse_jws(text, type);
        return jws ? "ok" : jws.error().code;
    }
    std::string message_of(std::string_view text, JwsType type = JwsType::command) {
        auto jws = parse_jws(text, type);
        return jws ? "ok" : jws.error().message;
    }

    PrivateKey ed_ = generated(KeyType::ed25519);
    PrivateKey p256_ = generated(KeyType::p256);
};

TEST_F(JwsTest, MakeParseVerifyRoundTrip) {
    for (const PrivateKey* key : {&ed_, &p256_}) {
        auto text = make_jws(JwsType::command, "ops-1", k_payload, *key);
        ASSERT_TRUE(text) << text.error().message;
        auto jws = parse_jws(*text, JwsType::command);
        ASSERT_TRUE(jws) << jws.error().message;
        EXPECT_EQ(jws->alg, key->alg());
        EXPECT_EQ(jws->kid, "ops-1");
        EXPECT_EQ(jws->payload, k_payload);
        EXPECT_EQ(jws->signature.size(), 64u);  // EdDSA and ES256 (raw R||S) alike
        EXPECT_EQ(jws->signing_input, text->substr(0, text->rfind('.')));
        EXPECT_EQ(std::string(jws->header_b64()) + "." + std::string(jws->payload_b64()),
                  jws->signing_input);
        EXPECT_EQ(base64url_decode(jws->header_b64()).value(),
                  R"({"alg":")" + std::string(to_string(key->alg())) +
                      R"(","kid":"ops-1","typ":"lintel-cmd+jws"})");
        EXPECT_EQ(jws->header.size(), 3u);
        auto verified = verify_jws(*jws, key->public_key());
        EXPECT_TRUE(verified) << verified.error().message;
    }
}

TEST_F(JwsTest, ASignatureFromAnotherKeyFails) {
    auto jws =
        parse_jws(make_jws(JwsType::command, "ops-1", k_payload, ed_).value(), JwsType::command);
    ASSERT_TRUE(jws);
    auto other = verify_jws(*jws, generated(KeyType::ed25519).public_key());
    ASSERT_FALSE(other);
    EXPECT_EQ(other.error().code, reason::bad_signature);
    EXPECT_NE(other.error().message.find("kid \"ops-1\""), std::string::npos);
}

TEST_F(JwsTest, AnyChangedCharacterIsRefused) {
    // Every position of the text, header, payload and signature alike: each change makes the
    // text unparsable (malformed) or the signature invalid, never a valid message.
    for (const PrivateKey* key : {&ed_, &p256_}) {
        const auto text = make_jws(JwsType::command, "ops-1", k_payload, *key).value();
        for (std::size_t i = 0; i < text.size(); ++i) {
            const auto changed = test::with_char_changed(text, i);
            if (changed == text) continue;  // a '.'
            auto jws = parse_jws(changed, JwsType::command);
            if (!jws) {
                EXPECT_TRUE(jws.error().code == reason::malformed ||
                            jws.error().code == reason::unsupported_alg)
                    << i << ": " << jws.error().code;
                continue;
            }
            EXPECT_EQ(verify_jws(*jws, key->public_key()).error().code, reason::bad_signature)
                << "position " << i;
        }
    }
}

TEST_F(JwsTest, FlippedBitsInDecodedPartsFailTheSignature) {
    const auto text = make_jws(JwsType::command, "ops-1", k_payload, ed_).value();
    const auto parts = [&] {
        const auto a = text.find('.');
        const auto b = text.find('.', a + 1);
        return std::array<std::string, 3>{base64url_decode(text.substr(0, a)).value(),
                                          base64url_decode(text.substr(a + 1, b - a - 1)).value(),
                                          base64url_decode(text.substr(b + 1)).value()};
    }();
    auto rebuild = [](const std::array<std::string, 3>& p) {
        return base64url_encode(p[0]) + "." + base64url_encode(p[1]) + "." + base64url_encode(p[2]);
    };
    // Header: kid ops-1 -> ops-3 (one bit), still a valid header.
    auto header = parts;
    auto flip = [](char& c, int bit) { c = static_cast<char>(c ^ bit); };
    flip(header[0][header[0].find("ops-1") + 4], 0x02);
    // Payload: "world" -> "wosld".
    auto payload = parts;
    flip(payload[1][payload[1].find("world") + 2], 0x01);
    auto signature = parts;
    flip(signature[2][10], 0x40);
    for (const auto& tampered : {header, payload, signature}) {
        auto jws = parse_jws(rebuild(tampered), JwsType::command);
        ASSERT_TRUE(jws) << jws.error().message;
        EXPECT_EQ(verify_jws(*jws, ed_.public_key()).error().code, reason::bad_signature);
    }
}

TEST_F(JwsTest, AlgThatDoesNotMatchTheKeyIsUnsupportedAlg) {
    // Signed by the P-256 key with its own alg, but the gateway holds an Ed25519 key for the
    // kid: refused as cmd.unsupported_alg before any verification (docs/commands.md).
    auto jws =
        parse_jws(make_jws(JwsType::command, "ops-1", k_payload, p256_).value(), JwsType::command);
    ASSERT_TRUE(jws);
    auto refused = verify_jws(*jws, ed_.public_key());
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, reason::unsupported_alg);
    // The header says EdDSA, the signature is an Ed25519 one, the key is P-256.
    auto ed_jws =
        parse_jws(make_jws(JwsType::command, "ops-1", k_payload, ed_).value(), JwsType::command);
    EXPECT_EQ(verify_jws(*ed_jws, p256_.public_key()).error().code, reason::unsupported_alg);
    // A JWS that claims ES256 but carries an Ed25519 signature, checked with the Ed25519 key.
    auto claimed =
        parse_jws(signed_with_header(R"({"alg":"ES256","kid":"ops-1","typ":"lintel-cmd+jws"})"),
                  JwsType::command);
    ASSERT_TRUE(claimed);
    EXPECT_EQ(verify_jws(*claimed, ed_.public_key()).error().code, reason::unsupported_alg);
}

TEST_F(JwsTest, RefusesAlgorithmsOutsideTheAllowList) {
    for (const char* alg : {"none", "None", "NONE", "HS256", "HS512", "RS256", "PS256", "ES384",
                            "ES256K", "Ed25519", "eddsa", ""}) {
        const auto header =
            std::string(R"({"alg":")") + alg + R"(","kid":"ops-1","typ":"lintel-cmd+jws"})";
        EXPECT_EQ(code_of(signed_with_header(header)), reason::unsupported_alg) << alg;
    }
    // "none" with an empty signature, the classic: refused before anything else matters.
    const auto none = base64url_encode(R"({"alg":"none","kid":"ops-1","typ":"lintel-cmd+jws"})") +
                      "." + base64url_encode(k_payload) + ".";
    EXPECT_EQ(code_of(none), reason::malformed);  // empty signature part
    const auto none_sig = base64url_encode(R"({"alg":"none","kid":"k","typ":"lintel-cmd+jws"})") +
                          "." + base64url_encode(k_payload) + ".AA";
    EXPECT_EQ(code_of(none_sig), reason::unsupported_alg);
    EXPECT_NE(message_of(none_sig).find("allowed: EdDSA, ES256"), std::string::npos);
    // RS256 is fine for results (gateways with RSA TLS keys), never for commands.
    const auto rs = signed_with_header(R"({"alg":"RS256","kid":"gw-1","typ":"lintel-result+jws"})");
    EXPECT_EQ(code_of(rs, JwsType::result), "ok");
    // alg of the wrong type.
    EXPECT_EQ(code_of(signed_with_header(R"({"alg":1,"kid":"k","typ":"lintel-cmd+jws"})")),
              reason::malformed);
    EXPECT_EQ(code_of(signed_with_header(R"({"alg":["EdDSA"],"kid":"k","typ":"lintel-cmd+jws"})")),
              reason::malformed);
}

TEST_F(JwsTest, RefusesKeyBearingAndExtensionHeaderMembers) {
    for (const char* member : {"jwk", "jku", "x5u", "x5c", "x5t", "x5t#S256", "crit", "b64", "cty",
                               "zip", "nonce", "url"}) {
        const auto header =
            std::string(R"({"alg":"EdDSA","kid":"ops-1","typ":"lintel-cmd+jws",")") + member +
            R"(":"x"})";
        const auto text = signed_with_header(header);
        EXPECT_EQ(code_of(text), reason::malformed) << member;
        EXPECT_NE(message_of(text).find(std::string("member \"") + member + "\""),
                  std::string::npos)
            << message_of(text);
    }
    const auto jwk = signed_with_header(
        R"({"alg":"EdDSA","kid":"ops-1","typ":"lintel-cmd+jws","jwk":{"kty":"OKP","crv":"Ed25519","x":"AA"}})");
    EXPECT_NE(message_of(jwk).find("trust store"), std::string::npos) << message_of(jwk);
    const auto crit = signed_with_header(
        R"({"alg":"EdDSA","kid":"ops-1","typ":"lintel-cmd+jws","crit":["b64"],"b64":false})");
    EXPECT_EQ(code_of(crit), reason::malformed);
}

TEST_F(JwsTest, RequiresKidAndTyp) {
    struct Case {
        const char* header;
        const char* message;
    };
    const Case cases[] = {
        {R"({"alg":"EdDSA","typ":"lintel-cmd+jws"})", "header: has no \"kid\""},
        {R"({"alg":"EdDSA","kid":"ops-1"})", "header: has no \"typ\""},
        {R"({"alg":"EdDSA","kid":"","typ":"lintel-cmd+jws"})", "header.kid: must be 1-64"},
        {R"({"alg":"EdDSA","kid":"a b","typ":"lintel-cmd+jws"})", "header.kid: must be 1-64"},
        {R"({"alg":"EdDSA","kid":7,"typ":"lintel-cmd+jws"})", "header.kid: must be 1-64"},
        {R"({"alg":"EdDSA","kid":"ops-1","typ":"JWT"})", "header.typ: must be \"lintel-cmd+jws\""},
        {R"({"alg":"EdDSA","kid":"ops-1","typ":"lintel-result+jws"})", "header.typ: must be"},
        {R"({"alg":"EdDSA","kid":"ops-1","typ":null})", "header.typ: must be"},
        {R"(["EdDSA"])", "header: must be a JSON object, got array"},
        {R"({"alg":"EdDSA","kid":"ops-1","typ":"lintel-cmd+jws","kid":"root"})",
         "header: duplicate key \"kid\""},
        {R"({"alg":"EdDSA","kid":"ops-1","typ":"lintel-cmd+jws"} x)", "header: not valid JSON"},
        {"\xEF\xBB\xBF{\"alg\":\"EdDSA\",\"kid\":\"k\",\"typ\":\"lintel-cmd+jws\"}",
         "header: starts with a byte order mark"},
    };
    for (const auto& c : cases) {
        const auto text = signed_with_header(c.header);
        EXPECT_EQ(code_of(text), reason::malformed) << c.header;
        EXPECT_EQ(message_of(text).rfind(c.message, 0), 0u) << message_of(text);
    }
    // A 64-character kid is fine, 65 is not.
    const std::string kid64(64, 'k');
    EXPECT_EQ(code_of(signed_with_header(R"({"alg":"EdDSA","kid":")" + kid64 +
                                         R"(","typ":"lintel-cmd+jws"})")),
              "ok");
    EXPECT_EQ(code_of(signed_with_header(R"({"alg":"EdDSA","kid":")" + kid64 +
                                         R"(k","typ":"lintel-cmd+jws"})")),
              reason::malformed);
    // Member order does not matter.
    EXPECT_EQ(code_of(signed_with_header(R"({"typ":"lintel-cmd+jws","kid":"k","alg":"EdDSA"})")),
              "ok");
}

TEST_F(JwsTest, RefusesWhatIsNotACompactJws) {
    const auto good = make_jws(JwsType::command, "ops-1", k_payload, ed_).value();
    const auto a = good.find('.');
    const auto b = good.find('.', a + 1);
    struct Case {
        std::string text;
        const char* message;
    };
    const Case cases[] = {
        {"", "jws: expected 3"},
        {"abc", "jws: expected 3"},
        {good.substr(0, b), "jws: expected 3"},
        {good + ".AA", "jws: expected 3"},
        {good + "\n", "jws: ends with a newline"},
        {"." + good.substr(a + 1), "jws.header: empty"},
        {good.substr(0, a + 1) + good.substr(b), "jws.payload: empty"},
        {good.substr(0, b + 1), "jws.signature: empty"},
        {good + "==", "jws.signature: byte 0x3d ('=')"},
        {good.substr(0, b + 1) + "+" + good.substr(b + 2), "jws.signature: byte 0x2b"},
        {" " + good, "jws.header: byte 0x20"},
        {R"({"alg":"EdDSA"}.e30.AA)", "jws.header: byte 0x7b ('{')"},  // JSON, not base64url
        {"eyJ9.e30.AA", "header: not valid JSON"},                     // "{}" cut short: '{"}'
    };
    for (const auto& c : cases) {
        EXPECT_EQ(code_of(c.text), reason::malformed) << c.text;
        EXPECT_EQ(message_of(c.text).rfind(c.message, 0), 0u)
            << c.text << " -> " << message_of(c.text);
    }
    // The flattened and general JSON serializations are not accepted.
    EXPECT_EQ(code_of(R"({"payload":"e30","protected":"e30","signature":"AA"})"),
              reason::malformed);
}

TEST_F(JwsTest, SizeIsCheckedBeforeAnythingElse) {
    const auto good = make_jws(JwsType::command, "ops-1", k_payload, ed_).value();
    EXPECT_TRUE(parse_jws(good, JwsType::command, good.size()));
    auto refused = parse_jws(good, JwsType::command, good.size() - 1);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, reason::too_large);
    EXPECT_NE(refused.error().message.find("the limit is " + std::to_string(good.size() - 1)),
              std::string::npos);
    // Garbage over the limit is too_large, not malformed: nothing is parsed.
    EXPECT_EQ(
        parse_jws(std::string(k_default_max_bytes + 1, '\xff'), JwsType::command).error().code,
        reason::too_large);
    EXPECT_EQ(k_default_max_bytes, 16u * 1024u);
}

TEST_F(JwsTest, MakeJwsRefusesWhatAReceiverMustRefuse) {
    EXPECT_EQ(make_jws(JwsType::command, "bad kid", k_payload, ed_).error().code, error::bad_input);
    EXPECT_EQ(make_jws(JwsType::command, "", k_payload, ed_).error().code, error::bad_input);
    lintel::test::TempDir dir("lintel-jws");
    auto rsa_file = test::make_private_key(dir.path(), "rsa", "rsa2048");
    ASSERT_TRUE(rsa_file);
    auto rsa = PrivateKey::from_pem_file(*rsa_file).value();
    auto refused = make_jws(JwsType::command, "ops-1", k_payload, rsa);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, error::bad_input);
    auto result = make_jws(JwsType::result, "gw-1", k_payload, rsa);
    ASSERT_TRUE(result) << result.error().message;
    auto jws = parse_jws(*result, JwsType::result);
    ASSERT_TRUE(jws) << jws.error().message;
    EXPECT_EQ(jws->alg, JwsAlg::rs256);
    EXPECT_EQ(jws->signature.size(), 256u);
    EXPECT_TRUE(verify_jws(*jws, rsa.public_key()));
    // A result is never a command, and the other way round.
    EXPECT_EQ(code_of(*result, JwsType::command), reason::unsupported_alg);
    const auto ed_result = make_jws(JwsType::result, "gw-1", k_payload, ed_).value();
    EXPECT_EQ(code_of(ed_result, JwsType::command), reason::malformed);
    const auto ed_command = make_jws(JwsType::command, "gw-1", k_payload, ed_).value();
    EXPECT_EQ(code_of(ed_command, JwsType::result), reason::malformed);
}

}  // namespace
}  // namespace lintel::commands

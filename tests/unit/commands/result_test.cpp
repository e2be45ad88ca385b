// Results: the payload's exact bytes, its rules, and signing with each kind of gateway TLS key
// (Ed25519, P-256, RSA) verified with the gateway's certificate.
#include "commands/result.hpp"

#include <gtest/gtest.h>

#include "commands/certificate.hpp"
#include "commands/reason_codes.hpp"
#include "commands_test_support.hpp"
#include "support/files.hpp"

namespace lintel::commands {
namespace {

using nlohmann::json;

CommandResult ok_result() {
    CommandResult r;
    r.id = "c-1";
    r.gateway = "gw-1";
    r.status = ResultStatus::ok;
    r.output = json::parse(R"({"value":21.5})");
    r.ts_ms = 1700000000123;
    return r;
}

TEST(ResultPayload, ExactBytesInTheDocumentedOrder) {
    EXPECT_EQ(result_payload(ok_result()).value(),
              R"({"v":1,"id":"c-1","gateway":"gw-1","status":"ok","reason":null,)"
              R"("output":{"value":21.5},"ts":1700000000123})");
    CommandResult refused;
    refused.gateway = "gw-1";
    refused.status = ResultStatus::rejected;
    refused.reason = "cmd.malformed";
    refused.ts_ms = 5;
    EXPECT_EQ(result_payload(refused).value(),
              R"({"v":1,"id":null,"gateway":"gw-1","status":"rejected","reason":"cmd.malformed",)"
              R"("output":null,"ts":5})");
}

TEST(ResultPayload, RefusesWhatTheCloudWouldRefuse) {
    auto code = [](auto change) {
        CommandResult r = ok_result();
        change(r);
        auto payload = result_payload(r);
        return payload ? std::string("ok") : payload.error().code;
    };
    EXPECT_EQ(code([](CommandResult& r) { r.id = "a b"; }), error::bad_input);
    EXPECT_EQ(code([](CommandResult& r) { r.gateway = ""; }), error::bad_input);
    EXPECT_EQ(code([](CommandResult& r) { r.reason = "cmd.failed"; }), error::bad_input);  // ok
    EXPECT_EQ(code([](CommandResult& r) { r.status = ResultStatus::failed; }), error::bad_input);
    EXPECT_EQ(code([](CommandResult& r) {
                  r.status = ResultStatus::failed;
                  r.reason = "Not A Code";
              }),
              error::bad_input);
    EXPECT_EQ(code([](CommandResult& r) {
                  r.status = ResultStatus::failed;
                  r.reason = "cmd.failed";
              }),
              "ok");
    EXPECT_EQ(code([](CommandResult& r) { r.ts_ms = -1; }), error::bad_input);
    EXPECT_EQ(code([](CommandResult& r) {
                  json deep = json::array();
                  for (int i = 0; i < 16; ++i) deep = json::array({deep});
                  r.output = deep;  // 17 levels
              }),
              error::bad_input);
    // Invalid UTF-8 from a device does not lose the result: it is replaced.
    CommandResult r = ok_result();
    r.output = "temp\xff";
    EXPECT_NE(result_payload(r).value().find("temp\xEF\xBF\xBD"), std::string::npos);
}

class ResultSigningTest : public ::testing::TestWithParam<std::string> {
protected:
    lintel::test::TempDir dir_{"lintel-result"};
};

TEST_P(ResultSigningTest, SignedWithTheGatewayKeyVerifiedWithItsCertificate) {
    const auto spec = GetParam();
    auto files = test::make_self_signed(dir_.path(), "gw", spec, "gw-1");
    ASSERT_TRUE(files) << files.error().message;
    auto key = PrivateKey::from_pem_file(files->key);
    ASSERT_TRUE(key) << key.error().message;
    auto text = sign_result(ok_result(), *key);
    ASSERT_TRUE(text) << text.error().message;

    auto cert = Certificate::from_file(files->cert);
    ASSERT_TRUE(cert) << cert.error().message;
    auto jws = parse_jws(*text, JwsType::result);
    ASSERT_TRUE(jws) << jws.error().message;
    EXPECT_EQ(jws->kid, cert->common_name().value());
    EXPECT_EQ(jws->alg, cert->public_key().alg());
    auto verified = verify_jws(*jws, cert->public_key());
    EXPECT_TRUE(verified) << verified.error().message;
    auto back = parse_result(*jws);
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(back->id, "c-1");
    EXPECT_EQ(back->gateway, "gw-1");
    EXPECT_EQ(back->status, ResultStatus::ok);
    EXPECT_FALSE(back->reason);
    EXPECT_EQ(back->output, ok_result().output);
    EXPECT_EQ(back->ts_ms, 1700000000123);

    // Another gateway's certificate (same CN, other key) does not verify it.
    auto other = test::make_self_signed(dir_.path(), "other", spec, "gw-1");
    ASSERT_TRUE(other);
    auto other_cert = Certificate::from_file(other->cert).value();
    EXPECT_EQ(verify_jws(*jws, other_cert.public_key()).error().code, reason::bad_signature);
}

INSTANTIATE_TEST_SUITE_P(GatewayKeys, ResultSigningTest,
                         ::testing::Values("ed25519", "p256", "rsa2048"));

TEST(ParseResult, StrictLikeCommands) {
    const auto key = test::generated(KeyType::ed25519);
    auto parse = [&](std::string_view payload) {
        auto jws =
            parse_jws(make_jws(JwsType::result, "gw-1", payload, key).value(), JwsType::result);
        if (!jws) return Expected<CommandResult>(std::unexpected(jws.error()));
        return parse_result(*jws);
    };
    EXPECT_TRUE(parse(result_payload(ok_result()).value()));
    struct Case {
        const char* payload;
        const char* message;
    };
    const Case cases[] = {
        {R"({"v":2,"id":null,"gateway":"g","status":"ok","reason":null,"output":null,"ts":1})",
         "payload.v: must be the integer 1"},
        {R"({"v":1,"id":null,"gateway":"g","status":"ok","reason":null,"output":null})",
         "payload: has no \"ts\""},
        {R"({"v":1,"id":null,"gateway":"g","status":"ok","reason":null,"output":null,"ts":1,"x":0})",
         "payload: unknown key \"x\""},
        {R"({"v":1,"id":null,"gateway":"g","status":"done","reason":null,"output":null,"ts":1})",
         "payload.status: must be"},
        {R"({"v":1,"id":7,"gateway":"g","status":"ok","reason":null,"output":null,"ts":1})",
         "payload.id: must be a string or null"},
        {R"({"v":1,"id":null,"gateway":"g","status":"failed","reason":null,"output":null,"ts":1})",
         "payload.reason: is required"},
        {R"({"v":1,"id":null,"gateway":"g","status":"ok","reason":null,"output":null,"ts":1.5})",
         "payload.ts: must be an integer"},
        {R"({"v":1,"id":null,"id":null,"gateway":"g","status":"ok","reason":null,"output":null,"ts":1})",
         "payload: duplicate key \"id\""},
    };
    for (const auto& c : cases) {
        auto refused = parse(c.payload);
        ASSERT_FALSE(refused) << c.payload;
        EXPECT_EQ(refused.error().code, reason::malformed);
        EXPECT_EQ(refused.error().message.rfind(c.message, 0), 0u) << refused.error().message;
    }
}

}  // namespace
}  // namespace lintel::commands

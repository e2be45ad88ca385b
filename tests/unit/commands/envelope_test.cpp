// The command envelope: every schema rule, each refusal with its code and a message naming
// the field, what the parser deliberately leaves to the verifier, and the signing round trip.
#include "commands/envelope.hpp"

#include <gtest/gtest.h>

#include <limits>

#include "commands/reason_codes.hpp"
#include "commands_test_support.hpp"

namespace lintel::commands {
namespace {

using nlohmann::json;

constexpr std::string_view k_header = R"({"alg":"EdDSA","kid":"ops-1","typ":"lintel-cmd+jws"})";

class EnvelopeTest : public ::testing::Test {
protected:
    // A valid payload with `key` set to the raw JSON `value` (or removed when value is empty).
    static std::string payload_with(const std::string& key, const std::string& value) {
        json p = json::parse(
            R"({"v":1,"id":"c-1","issued_at":1700000000000,"expires_at":1700000060000,)"
            R"("gateway":"gw-1","action":"set-point","args":{"point":"p1","value":21.5}})");
        std::string text;
        if (value.empty()) {
            p.erase(key);
            return p.dump();
        }
        p.erase(key);
        text = p.dump();
        text.pop_back();
        return text + ",\"" + key + "\":" + value + "}";
    }

    Expected<CommandEnvelope> parse(std::string_view payload) {
        auto text = sign_compact(k_header, payload, key_);
        if (!text) return std::unexpected(text.error());
        auto jws = parse_jws(*text, JwsType::command, 1 << 20);
        if (!jws) return std::unexpected(jws.error());
        return parse_command(*jws);
    }

    // Expects a cmd.malformed refusal whose message starts with `prefix`.
    void expect_refused(std::string_view payload, std::string_view prefix) {
        auto parsed = parse(payload);
        ASSERT_FALSE(parsed) << payload;
        EXPECT_EQ(parsed.error().code, reason::malformed) << payload;
        EXPECT_EQ(parsed.error().message.rfind(prefix, 0), 0u)
            << payload << "\n  -> " << parsed.error().message << "\n  wanted: " << prefix;
    }

    PrivateKey key_ = test::generated(KeyType::ed25519);
};

TEST_F(EnvelopeTest, ParsesAValidCommand) {
    auto c = parse(payload_with("id", R"("c-1")"));
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_EQ(c->kid, "ops-1");
    EXPECT_EQ(c->alg, JwsAlg::eddsa);
    EXPECT_EQ(c->id, "c-1");
    EXPECT_EQ(c->issued_at_ms, 1700000000000);
    EXPECT_EQ(c->expires_at_ms, 1700000060000);
    EXPECT_EQ(c->gateway, "gw-1");
    EXPECT_EQ(c->action, "set-point");
    EXPECT_EQ(c->args, json::parse(R"({"point":"p1","value":21.5})"));
}

TEST_F(EnvelopeTest, TheParserLeavesTimeGatewayAndKeysToTheVerifier) {
    // Long expired, for another gateway: still a well-formed envelope.
    auto c = parse(R"({"v":1,"id":"x","issued_at":0,"expires_at":1,"gateway":"elsewhere",)"
                   R"("action":"a","args":{}})");
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_EQ(c->gateway, "elsewhere");
    EXPECT_TRUE(c->args.empty());
}

TEST_F(EnvelopeTest, RefusesPayloadsThatAreNotAJsonObject) {
    expect_refused("", "jws.payload: empty");
    expect_refused("not json", "payload: not valid JSON at byte 2");
    expect_refused("[1]", "payload: must be a JSON object, got array");
    expect_refused("null", "payload: must be a JSON object, got null");
    expect_refused(payload_with("id", R"("c-1")") + " {}", "payload: not valid JSON");
    expect_refused("\xEF\xBB\xBF" + payload_with("id", R"("c-1")"),
                   "payload: starts with a byte order mark");
    expect_refused(payload_with("id", "\"c\xff\""), "payload: not valid JSON");
    expect_refused(payload_with("id", "\"\xed\xa0\x80\""), "payload: not valid JSON");  // surrogate
}

TEST_F(EnvelopeTest, RefusesUnknownAndDuplicateKeysAtAnyDepth) {
    expect_refused(payload_with("extra", "1"), "payload: unknown key \"extra\" (allowed: v, id,");
    expect_refused(payload_with("ID", R"("c")"), "payload: unknown key \"ID\"");
    expect_refused(payload_with("id", R"("c-2")").insert(1, R"("id":"c-1",)"),
                   "payload: duplicate key \"id\"");
    expect_refused(payload_with("args", R"({"a":{"b":1,"b":2}})"),
                   "payload.args.a: duplicate key \"b\"");
    expect_refused(payload_with("args", R"({"list":[{"x":1},{"y":1,"y":2}]})"),
                   "payload.args.list[1]: duplicate key \"y\"");
    expect_refused(payload_with("args", R"({"list":[1,[2,3],{"k":0,"k":0}]})"),
                   "payload.args.list[2]: duplicate key \"k\"");
    // The same key in different objects is fine.
    EXPECT_TRUE(parse(payload_with("args", R"({"a":{"k":1},"b":{"k":1},"k":[{"k":1}]})")));
}

TEST_F(EnvelopeTest, RequiresEveryKey) {
    for (const char* key : {"v", "id", "issued_at", "expires_at", "gateway", "action", "args"}) {
        const auto payload = payload_with(key, "");
        auto parsed = parse(payload);
        ASSERT_FALSE(parsed) << key;
        EXPECT_EQ(parsed.error().code, reason::malformed);
        EXPECT_NE(parsed.error().message.find(std::string("has no \"") + key + "\""),
                  std::string::npos)
            << parsed.error().message;
    }
}

TEST_F(EnvelopeTest, VersionMustBeTheIntegerOne) {
    expect_refused(payload_with("v", "2"), "payload.v: version 2 is not supported");
    expect_refused(payload_with("v", "0"), "payload.v: version 0 is not supported");
    expect_refused(payload_with("v", "-1"), "payload.v: version -1 is not supported");
    expect_refused(payload_with("v", "1.0"), "payload.v: must be the integer 1, got 1.0");
    expect_refused(payload_with("v", R"("1")"), "payload.v: must be the integer 1, got string");
    expect_refused(payload_with("v", "true"), "payload.v: must be the integer 1, got boolean");
    // A v2 sender's new key is explained by the version, not as an unknown key.
    expect_refused(payload_with("v", "2").insert(1, R"("new":1,)"), "payload.v: version 2");
}

TEST_F(EnvelopeTest, IdAndGatewayAreIdentifiers) {
    for (const char* key : {"id", "gateway"}) {
        SCOPED_TRACE(key);
        const std::string path = std::string("payload.") + key + ": must be";
        for (const char* bad : {R"("")", R"("a b")", R"("a/b")", R"("a:b")", R"("é")",
                                R"("a\u0000")", R"("a\nb")", "1", "null", R"(["a"])"}) {
            expect_refused(payload_with(key, bad), path);
        }
        expect_refused(payload_with(key, '"' + std::string(65, 'a') + '"'), path);
        for (const char* good : {R"("a")", R"("A.b_c-9")", R"(".")", R"("-")", R"("0")"}) {
            EXPECT_TRUE(parse(payload_with(key, good))) << good;
        }
        EXPECT_TRUE(parse(payload_with(key, '"' + std::string(64, 'a') + '"')));
    }
    // The message shows what was sent, made printable.
    auto refused = parse(payload_with("id", R"("a\u0007b")"));
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().message.find(R"(got "a?b")"), std::string::npos)
        << refused.error().message;
}

TEST_F(EnvelopeTest, ActionIsLowerCaseDigitsAndDashes) {
    for (const char* bad : {R"("")", R"("Set-point")", R"("set_point")", R"("set.point")",
                            R"("set point")", R"("set/point")", "7", "{}"}) {
        expect_refused(payload_with("action", bad), "payload.action: must be");
    }
    expect_refused(payload_with("action", '"' + std::string(65, 'a') + '"'), "payload.action");
    for (const char* good : {R"("a")", R"("reboot")", R"("set-point-2")", R"("-")", R"("9")"}) {
        EXPECT_TRUE(parse(payload_with("action", good))) << good;
    }
    EXPECT_TRUE(parse(payload_with("action", '"' + std::string(64, 'z') + '"')));
}

TEST_F(EnvelopeTest, TimesAreNonNegativeIntegerMilliseconds) {
    for (const char* key : {"issued_at", "expires_at"}) {
        SCOPED_TRACE(key);
        const std::string path = std::string("payload.") + key + ": must be an integer >= 0";
        for (const char* bad : {"-1", "1.5", "1e3", "1700000000000.0", R"("1700000000000")", "null",
                                "true", "9223372036854775808", "18446744073709551616"}) {
            expect_refused(payload_with(key, bad), path);
        }
    }
    const auto max = std::numeric_limits<std::int64_t>::max();
    auto c =
        parse(R"({"v":1,"id":"c","issued_at":)" + std::to_string(max - 1) + R"(,"expires_at":)" +
              std::to_string(max) + R"(,"gateway":"g","action":"a","args":{}})");
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_EQ(c->expires_at_ms, max);
}

TEST_F(EnvelopeTest, ExpiresAtMustBeAfterIssuedAt) {
    const std::string head = R"({"v":1,"id":"c","gateway":"g","action":"a","args":{},)";
    expect_refused(head + R"("issued_at":5,"expires_at":5})",
                   "payload.expires_at: must be later than issued_at (5 <= 5)");
    expect_refused(head + R"("issued_at":5,"expires_at":4})", "payload.expires_at: must be later");
    EXPECT_TRUE(parse(head + R"("issued_at":5,"expires_at":6})"));
}

TEST_F(EnvelopeTest, ArgsIsAnObjectNestedAtMostSixteenLevels) {
    for (const char* bad : {"[]", "null", R"("x")", "1", "true"}) {
        expect_refused(payload_with("args", bad), "payload.args: must be an object, got");
    }
    // args itself is level 1: 16 levels pass, 17 do not; arrays count like objects.
    auto objects = [](int levels) {
        std::string text;
        for (int i = 1; i < levels; ++i) text += R"({"a":)";
        return text + "{}" + std::string(static_cast<std::size_t>(levels - 1), '}');
    };
    auto arrays = [](int levels) {
        const auto inner = static_cast<std::size_t>(levels - 1);
        return R"({"a":)" + std::string(inner, '[') + std::string(inner, ']') + "}";
    };
    EXPECT_TRUE(parse(payload_with("args", objects(16))));
    EXPECT_TRUE(parse(payload_with("args", arrays(16))));
    expect_refused(payload_with("args", objects(17)), "payload.args.a.a.a");
    expect_refused(payload_with("args", arrays(17)), "payload.args.a[0][0]");
    auto refused = parse(payload_with("args", objects(17)));
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().message.find("payload.args may nest at most 16 levels"),
              std::string::npos)
        << refused.error().message;
    // Far deeper than the limit: refused quickly, without recursion trouble.
    expect_refused(payload_with("args", std::string(100000, '[') + std::string(100000, ']')),
                   "payload.args");
}

TEST_F(EnvelopeTest, RefusesAResultJws) {
    auto text = make_jws(JwsType::result, "gw-1", payload_with("id", R"("c")"), key_).value();
    auto jws = parse_jws(text, JwsType::result);
    ASSERT_TRUE(jws);
    auto refused = parse_command(*jws);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, reason::malformed);
}

TEST_F(EnvelopeTest, SignCommandRoundTrip) {
    for (auto type : {KeyType::ed25519, KeyType::p256}) {
        const auto key = test::generated(type);
        CommandEnvelope command;
        command.kid = "ops-1";
        command.id = "0123456789abcdef0123456789abcdef";
        command.issued_at_ms = 1700000000000;
        command.expires_at_ms = 1700000060000;
        command.gateway = "gw-1";
        command.action = "set-point";
        command.args = json::parse(R"({"point":"p1","value":21.5,"list":[1,"two",null]})");
        auto text = sign_command(command, key);
        ASSERT_TRUE(text) << text.error().message;
        auto jws = parse_jws(*text, JwsType::command);
        ASSERT_TRUE(jws) << jws.error().message;
        ASSERT_TRUE(verify_jws(*jws, key.public_key()));
        EXPECT_EQ(jws->payload,
                  R"({"v":1,"id":"0123456789abcdef0123456789abcdef","issued_at":1700000000000,)"
                  R"("expires_at":1700000060000,"gateway":"gw-1","action":"set-point",)"
                  R"("args":{"list":[1,"two",null],"point":"p1","value":21.5}})");
        auto back = parse_command(*jws);
        ASSERT_TRUE(back) << back.error().message;
        EXPECT_EQ(back->kid, command.kid);
        EXPECT_EQ(back->alg, key.alg());
        EXPECT_EQ(back->id, command.id);
        EXPECT_EQ(back->issued_at_ms, command.issued_at_ms);
        EXPECT_EQ(back->expires_at_ms, command.expires_at_ms);
        EXPECT_EQ(back->gateway, command.gateway);
        EXPECT_EQ(back->action, command.action);
        EXPECT_EQ(back->args, command.args);
    }
}

TEST_F(EnvelopeTest, SignCommandRefusesWhatTheGatewayWouldRefuse) {
    CommandEnvelope command;
    command.kid = "ops-1";
    command.id = "c";
    command.issued_at_ms = 10;
    command.expires_at_ms = 20;
    command.gateway = "gw";
    command.action = "a";
    EXPECT_TRUE(sign_command(command, key_));
    auto bad = [&](auto change) {
        CommandEnvelope c = command;
        change(c);
        auto signed_command = sign_command(c, key_);
        return signed_command ? std::string("ok") : signed_command.error().code;
    };
    EXPECT_EQ(bad([](CommandEnvelope& c) { c.kid = "no spaces"; }), error::bad_input);
    EXPECT_EQ(bad([](CommandEnvelope& c) { c.id = ""; }), error::bad_input);
    EXPECT_EQ(bad([](CommandEnvelope& c) { c.gateway = "a/b"; }), error::bad_input);
    EXPECT_EQ(bad([](CommandEnvelope& c) { c.action = "Reboot"; }), error::bad_input);
    EXPECT_EQ(bad([](CommandEnvelope& c) { c.expires_at_ms = 10; }), error::bad_input);
    EXPECT_EQ(bad([](CommandEnvelope& c) { c.issued_at_ms = -1; }), error::bad_input);
    EXPECT_EQ(bad([](CommandEnvelope& c) { c.args = json::array(); }), error::bad_input);
    EXPECT_EQ(bad([](CommandEnvelope& c) { c.args = {{"s", "\xff"}}; }), error::bad_input);
    EXPECT_EQ(bad([](CommandEnvelope& c) {
                  json deep = json::object();
                  for (int i = 0; i < 16; ++i) deep = json{{"a", deep}};
                  c.args = deep;  // 17 levels
              }),
              error::bad_input);
}

}  // namespace
}  // namespace lintel::commands

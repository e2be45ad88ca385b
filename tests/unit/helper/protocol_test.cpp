// The helper's wire protocol: every refusal code, and the exact bytes of each response kind.
#include "helper/protocol.hpp"

#include <gtest/gtest.h>

#include <string>

namespace lintel::helper {
namespace {

// The error code parse_request returns for `line` ("ok" when it parses).
std::string code_of(std::string_view line) {
    auto r = parse_request(line);
    return r ? "ok" : r.error().code;
}

std::string message_of(std::string_view line) {
    auto r = parse_request(line);
    return r ? "" : r.error().message;
}

TEST(Protocol, ParsesAMinimalRequest) {
    auto r = parse_request(R"({"v":1,"action":"version"})");
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->action, "version");
    EXPECT_TRUE(r->params.is_object());
    EXPECT_TRUE(r->params.empty());
}

TEST(Protocol, ParsesParamsAndAnyKeyOrderAndWhitespace) {
    auto r = parse_request(" { \"params\" : {\"path\":\"/x\"}, \"action\":\"a\" ,\"v\":1 }\r");
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->action, "a");
    EXPECT_EQ(r->params.at("path"), "/x");
}

TEST(Protocol, MalformedJsonNamesTheByteAndEchoesNothing) {
    EXPECT_EQ(code_of(""), codes::malformed);
    EXPECT_EQ(code_of("{"), codes::malformed);
    EXPECT_EQ(code_of(R"({"v":1,"action":"version"} trailing)"), codes::malformed);
    EXPECT_EQ(code_of("{'v':1}"), codes::malformed);
    const auto m = message_of(R"({"v":1,"action":SECRETSTUFF})");
    EXPECT_NE(m.find("not valid JSON at byte"), std::string::npos) << m;
    EXPECT_EQ(m.find("SECRETSTUFF"), std::string::npos) << m;
}

TEST(Protocol, RefusesInvalidUtf8AndBinaryGarbage) {
    EXPECT_EQ(code_of("{\"v\":1,\"action\":\"ver\xff\"}"), codes::malformed);
    EXPECT_EQ(code_of("{\"v\":1,\"action\":\"\xc3\"}"), codes::malformed);          // truncated
    EXPECT_EQ(code_of("{\"v\":1,\"action\":\"\xed\xa0\x80\"}"), codes::malformed);  // surrogate
    EXPECT_EQ(code_of(std::string("\x00\x01\x02{", 4)), codes::malformed);
    EXPECT_EQ(code_of("\x89PNG\r\n\x1a"), codes::malformed);
    const auto m = message_of("{\"v\":1,\"action\":\"\xff\"}");
    for (char c : m) {
        const auto u = static_cast<unsigned char>(c);
        EXPECT_TRUE(u >= 0x20 && u < 0x7f) << "byte " << int(u);
    }
    // Valid UTF-8 is fine, and so is an escaped NUL (it just names no action).
    EXPECT_EQ(code_of("{\"v\":1,\"action\":\"v\xc3\xa9rsion\"}"), "ok");
    EXPECT_EQ(code_of(R"({"v":1,"action":"a\u0000b"})"), "ok");
}

TEST(Protocol, RequestMustBeAnObject) {
    for (auto line : {"[]", "1", "\"version\"", "null", "true"}) {
        EXPECT_EQ(code_of(line), codes::malformed) << line;
    }
    EXPECT_NE(message_of("[1]").find("got array"), std::string::npos);
}

TEST(Protocol, VersionMissingOrOfTheWrongType) {
    EXPECT_EQ(code_of(R"({"action":"version"})"), codes::malformed);
    EXPECT_NE(message_of(R"({"action":"version"})").find("\"v\""), std::string::npos);
    EXPECT_EQ(code_of(R"({"v":"1","action":"version"})"), codes::malformed);
    EXPECT_EQ(code_of(R"({"v":null,"action":"version"})"), codes::malformed);
    EXPECT_EQ(code_of(R"({"v":[1],"action":"version"})"), codes::malformed);
}

TEST(Protocol, OtherVersionsAreBadVersion) {
    for (auto line :
         {R"({"v":2,"action":"version"})", R"({"v":0,"action":"version"})",
          R"({"v":-1,"action":"version"})", R"({"v":1.5,"action":"version"})",
          R"({"v":1.0,"action":"version"})", R"({"v":18446744073709551617,"action":"version"})"}) {
        EXPECT_EQ(code_of(line), codes::bad_version) << line;
    }
    EXPECT_NE(message_of(R"({"v":2,"action":"x"})").find("version 2 is not supported"),
              std::string::npos);
    // The version is judged before the keys: a v2 client's new keys are explained by "v".
    EXPECT_EQ(code_of(R"({"v":2,"action":"version","id":7})"), codes::bad_version);
}

TEST(Protocol, UnknownAndDuplicateKeysAreRefused) {
    EXPECT_EQ(code_of(R"({"v":1,"action":"version","id":7})"), codes::malformed);
    EXPECT_NE(message_of(R"({"v":1,"action":"version","id":7})").find("unknown key \"id\""),
              std::string::npos);
    EXPECT_EQ(code_of(R"({"v":1,"action":"version","V":1})"), codes::malformed);
    EXPECT_EQ(code_of(R"({"v":1,"action":"version","action":"install"})"), codes::malformed);
    EXPECT_NE(message_of(R"({"v":1,"v":1,"action":"x"})").find("duplicate key \"v\""),
              std::string::npos);
    // Also inside params: the action would see only one of them.
    EXPECT_EQ(code_of(R"({"v":1,"action":"a","params":{"p":1,"q":{"x":1,"x":2}}})"),
              codes::malformed);
    // The same key in sibling objects is not a duplicate.
    EXPECT_EQ(code_of(R"({"v":1,"action":"a","params":{"p":{"x":1},"q":{"x":2}}})"), "ok");
}

TEST(Protocol, ActionAndParamsTypes) {
    EXPECT_EQ(code_of(R"({"v":1})"), codes::malformed);
    EXPECT_EQ(code_of(R"({"v":1,"action":7})"), codes::malformed);
    EXPECT_NE(message_of(R"({"v":1,"action":7})").find("got number"), std::string::npos);
    EXPECT_EQ(code_of(R"({"v":1,"action":null})"), codes::malformed);
    EXPECT_EQ(code_of(R"({"v":1,"action":["version"]})"), codes::malformed);
    EXPECT_EQ(code_of(R"({"v":1,"action":""})"), codes::malformed);
    EXPECT_EQ(code_of(R"({"v":1,"action":"version","params":[]})"), codes::malformed);
    EXPECT_EQ(code_of(R"({"v":1,"action":"version","params":null})"), codes::malformed);
    EXPECT_EQ(code_of(R"({"v":1,"action":"version","params":"x"})"), codes::malformed);
}

// A request whose containers nest `levels` deep in total (the request object is level 1).
std::string nested_request(int levels) {
    const auto arrays = static_cast<std::size_t>(levels - 2);  // minus request and params
    return R"({"v":1,"action":"a","params":{"p":)" + std::string(arrays, '[') +
           std::string(arrays, ']') + "}}";
}

TEST(Protocol, NestingIsCappedSoNothingDownstreamRecursesDeep) {
    EXPECT_EQ(code_of(nested_request(k_max_nesting)), "ok");
    EXPECT_EQ(code_of(nested_request(k_max_nesting + 1)), codes::malformed);
    EXPECT_EQ(message_of(nested_request(k_max_nesting + 1)),
              "request is nested deeper than 32 levels");
    // The worst a full request can do: refused, without recursion (this would overflow the stack).
    EXPECT_EQ(code_of(nested_request(30000)), codes::malformed);
    std::string objects = R"({"v":1,"action":"a","params":)";
    for (int i = 0; i < 10000; ++i) objects += R"({"a":)";
    objects += "1" + std::string(10000, '}') + "}";
    EXPECT_EQ(code_of(objects), codes::malformed);
    EXPECT_EQ(code_of(std::string(k_max_request_bytes, '[')), codes::malformed);
    // Duplicates are still found beside a deep part that was cut off.
    EXPECT_EQ(code_of(R"({"v":1,"action":"a","action":"b"})"), codes::malformed);
}

TEST(Protocol, HugeNumbersAreMalformed) {
    EXPECT_EQ(code_of(R"({"v":1e999,"action":"a"})"), codes::malformed);
    EXPECT_EQ(code_of(R"({"v":1,"action":"a","params":{"n":-1e999}})"), codes::malformed);
}

TEST(Protocol, PeekActionIsBestEffort) {
    EXPECT_EQ(peek_action(R"({"v":2,"action":"install"})"), "install");
    EXPECT_EQ(peek_action(R"({"v":2,"action":1})"), std::nullopt);
    EXPECT_EQ(peek_action("garbage"), std::nullopt);
}

TEST(Protocol, SerialisesResponsesExactly) {
    nlohmann::ordered_json result;
    result["helper_version"] = "0.1.0";
    result["package"] = "lintel";
    result["package_version"] = nullptr;
    result["package_status"] = "not-installed";
    EXPECT_EQ(serialise_ok(result),
              R"({"v":1,"ok":true,"result":{"helper_version":"0.1.0","package":"lintel",)"
              R"("package_version":null,"package_status":"not-installed"}})"
              "\n");
    EXPECT_EQ(serialise_error(
                  Error{"helper.peer_refused", "uid 65534 is not allowed to use lintel-helper"}),
              R"({"v":1,"ok":false,"error":{"code":"helper.peer_refused",)"
              R"("message":"uid 65534 is not allowed to use lintel-helper"}})"
              "\n");
    // A message carrying a cut UTF-8 sequence is repaired, not thrown on.
    const auto line = serialise_error(Error{"helper.internal", "bad \xc3"});
    EXPECT_EQ(line.back(), '\n');
    EXPECT_EQ(line.find('\n'), line.size() - 1);
    EXPECT_TRUE(parse_response(std::string_view(line).substr(0, line.size() - 1)).error().code ==
                "helper.internal");
}

TEST(Protocol, SerialisesRequests) {
    EXPECT_EQ(serialise_request("version"), "{\"v\":1,\"action\":\"version\"}\n");
    EXPECT_EQ(serialise_request("x", {{"path", "/a\nb"}}),
              "{\"v\":1,\"action\":\"x\",\"params\":{\"path\":\"/a\\nb\"}}\n");
    // What the client sends is what the server accepts.
    auto line = serialise_request("install", {{"n", 1}});
    line.pop_back();
    auto r = parse_request(line);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->params.at("n"), 1);
}

TEST(Protocol, ParsesResponses) {
    auto ok = parse_response(R"({"v":1,"ok":true,"result":{"a":1}})");
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->at("a"), 1);
    auto refused = parse_response(
        R"({"v":1,"ok":false,"error":{"code":"helper.peer_refused","message":"no"}})");
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, "helper.peer_refused");
    EXPECT_EQ(refused.error().message, "no");
    // A newer helper may add envelope fields.
    EXPECT_TRUE(parse_response(R"({"v":1,"ok":true,"result":{},"warnings":[]})"));
    std::string deep =
        R"({"v":1,"ok":true,"result":{"a":)" + std::string(40, '[') + std::string(40, ']') + "}}";
    EXPECT_EQ(parse_response(deep).error().code, codes::bad_response);
    EXPECT_EQ(parse_response(R"({"v":1,"v":1,"ok":true,"result":{}})").error().code,
              codes::bad_response);
    for (auto bad :
         {"", "x", "[]", R"({"ok":true,"result":{}})", R"({"v":2,"ok":true,"result":{}})",
          R"({"v":1,"ok":"yes","result":{}})", R"({"v":1,"ok":true})",
          R"({"v":1,"ok":true,"result":[]})", R"({"v":1,"ok":false})",
          R"({"v":1,"ok":false,"error":{"code":1,"message":"m"}})",
          R"({"v":1,"ok":false,"error":{"code":"c"}})"}) {
        auto r = parse_response(bad);
        ASSERT_FALSE(r) << bad;
        EXPECT_EQ(r.error().code, codes::bad_response) << bad;
    }
}

}  // namespace
}  // namespace lintel::helper

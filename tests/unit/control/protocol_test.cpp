// The control socket's wire protocol: every request form, every error code, exact bytes out.
#include "control/protocol.hpp"

#include <gtest/gtest.h>

#include <string>

namespace lintel::control {
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

Request parsed(std::string_view line) {
    auto r = parse_request(line);
    EXPECT_TRUE(r) << line << ": " << (r ? "" : r.error().message);
    return r ? *r : Request{};
}

TEST(ControlProtocol, EveryCommandParses) {
    EXPECT_EQ(parsed(R"({"v":1,"cmd":"status"})").command, Command::status);
    EXPECT_EQ(parsed(R"({"v":1,"cmd":"queue"})").command, Command::queue);
    EXPECT_EQ(parsed(R"({"v":1,"cmd":"check-config"})").command, Command::check_config);
    EXPECT_EQ(parsed(R"({"v":1,"cmd":"reload"})").command, Command::reload);

    auto all_points = parsed(R"({"v":1,"cmd":"points"})");
    EXPECT_EQ(all_points.command, Command::points);
    EXPECT_FALSE(all_points.device);
    EXPECT_EQ(parsed(R"({"cmd":"points","device":"meter-1","v":1})").device, "meter-1");

    auto audit = parsed(R"({"v":1,"cmd":"audit"})");
    EXPECT_EQ(audit.since_ms, 0);
    EXPECT_EQ(audit.limit, k_default_audit_limit);
    audit = parsed(R"({"v":1,"cmd":"audit","since":1763719200000,"limit":10000})");
    EXPECT_EQ(audit.since_ms, 1763719200000);
    EXPECT_EQ(audit.limit, 10000u);

    EXPECT_EQ(parsed(R"({"v":1,"cmd":"log-level","level":"debug"})").level, sdk::LogLevel::debug);
    EXPECT_EQ(parsed(R"({"v":1,"cmd":"log-level","level":"error"})").level, sdk::LogLevel::error);
    // Whitespace and a CR before the newline (nc, socat) are JSON whitespace.
    EXPECT_EQ(code_of(" {\"v\": 1, \"cmd\": \"status\"}\r"), "ok");
}

TEST(ControlProtocol, MalformedJsonIsRefusedWithoutEchoingIt) {
    EXPECT_EQ(code_of(""), codes::malformed);
    EXPECT_EQ(code_of("{"), codes::malformed);
    EXPECT_EQ(code_of("status"), codes::malformed);
    EXPECT_EQ(code_of(R"({"v":1,"cmd":"status"} {"v":1})"), codes::malformed);
    EXPECT_EQ(code_of("{\"v\":1,\"cmd\":\"st\xff\"}"), codes::malformed);        // not UTF-8
    EXPECT_EQ(code_of("{\"v\":1,\"cmd\":\"\xed\xa0\x80\"}"), codes::malformed);  // surrogate
    EXPECT_EQ(code_of(R"({"v":1e999,"cmd":"status"})"), codes::malformed);       // overflow
    const auto m = message_of(R"({"v":1,"cmd":SECRETSTUFF})");
    EXPECT_NE(m.find("request is not valid JSON at byte"), std::string::npos) << m;
    EXPECT_EQ(m.find("SECRET"), std::string::npos) << m;
}

TEST(ControlProtocol, NotAnObjectIsMalformed) {
    for (auto line : {"[]", "1", "\"status\"", "null", "true"}) {
        EXPECT_EQ(code_of(line), codes::malformed) << line;
    }
    EXPECT_EQ(message_of("[1]"), "request must be a JSON object, got array");
}

TEST(ControlProtocol, DuplicateKeysAreMalformed) {
    EXPECT_EQ(code_of(R"({"v":1,"cmd":"status","cmd":"reload"})"), codes::malformed);
    EXPECT_EQ(message_of(R"({"v":1,"v":1,"cmd":"status"})"), "duplicate key \"v\" in request");
    EXPECT_EQ(code_of(R"({"v":1,"cmd":"audit","limit":1,"limit":2})"), codes::malformed);
}

TEST(ControlProtocol, NestingIsBoundedWhileParsing) {
    auto nested = [](int depth) {
        return R"({"v":1,"cmd":"status","x":)" + std::string(static_cast<std::size_t>(depth), '[') +
               std::string(static_cast<std::size_t>(depth), ']') + "}";
    };
    // Depth 32 is parsed (then refused as an unknown argument); 33 never gets that far.
    EXPECT_EQ(code_of(nested(k_max_request_nesting - 1)), codes::bad_args);
    EXPECT_EQ(code_of(nested(k_max_request_nesting)), codes::malformed);
    EXPECT_EQ(message_of(nested(k_max_request_nesting)), "request is nested deeper than 32 levels");
    EXPECT_EQ(code_of(std::string(k_max_request_bytes, '[')), codes::malformed);
    EXPECT_EQ(code_of(nested(30000)), codes::malformed);
}

TEST(ControlProtocol, VersionIsCheckedFirst) {
    EXPECT_EQ(code_of(R"({"cmd":"status"})"), codes::malformed);
    EXPECT_EQ(message_of(R"({"cmd":"status"})"),
              "request has no \"v\" (the protocol version; linteld speaks 1)");
    EXPECT_EQ(code_of(R"({"v":"1","cmd":"status"})"), codes::malformed);
    EXPECT_EQ(code_of(R"({"v":null,"cmd":"status"})"), codes::malformed);
    for (auto line :
         {R"({"v":2,"cmd":"status"})", R"({"v":0,"cmd":"status"})", R"({"v":-1,"cmd":"status"})",
          R"({"v":1.5,"cmd":"status"})", R"({"v":18446744073709551615,"cmd":"status"})"}) {
        EXPECT_EQ(code_of(line), codes::bad_version) << line;
    }
    EXPECT_EQ(message_of(R"({"v":2,"cmd":"status"})"),
              "protocol version 2 is not supported (linteld speaks 1)");
    // A v2 request's new keys or commands are explained by its version, not by them.
    EXPECT_EQ(code_of(R"({"v":2,"cmd":"frobnicate","id":7})"), codes::bad_version);
}

TEST(ControlProtocol, CmdMustBeAKnownNonEmptyString) {
    EXPECT_EQ(code_of(R"({"v":1})"), codes::malformed);
    EXPECT_EQ(message_of(R"({"v":1})"), "request has no \"cmd\"");
    EXPECT_EQ(code_of(R"({"v":1,"cmd":7})"), codes::malformed);
    EXPECT_EQ(message_of(R"({"v":1,"cmd":["status"]})"), "\"cmd\" must be a string, got array");
    EXPECT_EQ(code_of(R"({"v":1,"cmd":""})"), codes::malformed);

    EXPECT_EQ(code_of(R"({"v":1,"cmd":"reboot"})"), codes::unknown_command);
    EXPECT_EQ(message_of(R"({"v":1,"cmd":"reboot"})"),
              "unknown command \"reboot\" (known: status, queue, points, audit, check-config, "
              "reload, log-level)");
    EXPECT_EQ(code_of(R"({"v":1,"cmd":"Status"})"), codes::unknown_command);
    EXPECT_EQ(code_of(R"({"v":1,"cmd":"check_config"})"), codes::unknown_command);
    // The peer's text is cut and kept printable in the message.
    const auto m =
        message_of("{\"v\":1,\"cmd\":\"a\\nb\\u001b[31m" + std::string(100, 'x') + "\"}");
    EXPECT_EQ(m.find('\n'), std::string::npos);
    EXPECT_EQ(m.find('\x1b'), std::string::npos);
    EXPECT_NE(m.find("\"a?b?[31mxxx"), std::string::npos) << m;
    EXPECT_NE(m.find("...\""), std::string::npos) << m;
}

TEST(ControlProtocol, ArgumentsOfAnotherCommandAreBadArgs) {
    EXPECT_EQ(code_of(R"({"v":1,"cmd":"status","limit":5})"), codes::bad_args);
    EXPECT_EQ(message_of(R"({"v":1,"cmd":"status","limit":5})"),
              "\"limit\" is not an argument of status (it takes none)");
    EXPECT_EQ(message_of(R"({"v":1,"cmd":"points","limit":5})"),
              "\"limit\" is not an argument of points (it takes: device)");
    EXPECT_EQ(message_of(R"({"v":1,"cmd":"audit","device":"x"})"),
              "\"device\" is not an argument of audit (it takes: since, limit)");
    EXPECT_EQ(code_of(R"({"v":1,"cmd":"reload","params":{}})"), codes::bad_args);
    EXPECT_EQ(code_of(R"({"v":1,"cmd":"queue","V":1})"), codes::bad_args);
}

TEST(ControlProtocol, PointsDeviceMustBeASensibleString) {
    EXPECT_EQ(code_of(R"({"v":1,"cmd":"points","device":7})"), codes::bad_args);
    EXPECT_EQ(message_of(R"({"v":1,"cmd":"points","device":null})"),
              "\"device\" must be a string, got null");
    EXPECT_EQ(message_of(R"({"v":1,"cmd":"points","device":""})"), "\"device\" must not be empty");
    const std::string at_limit(k_max_device_name_bytes, 'd');
    EXPECT_EQ(code_of(R"({"v":1,"cmd":"points","device":")" + at_limit + "\"}"), "ok");
    EXPECT_EQ(code_of(R"({"v":1,"cmd":"points","device":")" + at_limit + "d\"}"), codes::bad_args);
    EXPECT_EQ(parsed("{\"v\":1,\"cmd\":\"points\",\"device\":\"z\xc3\xa4hler\"}").device,
              "z\xc3\xa4hler");
}

TEST(ControlProtocol, AuditRangesAreChecked) {
    for (auto line :
         {R"({"v":1,"cmd":"audit","since":-1})", R"({"v":1,"cmd":"audit","since":1.5})",
          R"({"v":1,"cmd":"audit","since":"1h"})",
          R"({"v":1,"cmd":"audit","since":9223372036854775808})",
          R"({"v":1,"cmd":"audit","limit":0})", R"({"v":1,"cmd":"audit","limit":10001})",
          R"({"v":1,"cmd":"audit","limit":-5})", R"({"v":1,"cmd":"audit","limit":true})",
          R"({"v":1,"cmd":"audit","limit":100.0})"}) {
        EXPECT_EQ(code_of(line), codes::bad_args) << line;
    }
    EXPECT_EQ(message_of(R"({"v":1,"cmd":"audit","limit":0})"),
              "\"limit\" must be an integer from 1 to 10000, got 0");
    EXPECT_EQ(message_of(R"({"v":1,"cmd":"audit","since":"1h"})"),
              "\"since\" must be a Unix time in milliseconds (an integer >= 0), got \"1h\"");
    EXPECT_EQ(parsed(R"({"v":1,"cmd":"audit","since":9223372036854775807})").since_ms, INT64_MAX);
}

TEST(ControlProtocol, LogLevelNeedsAKnownLevel) {
    EXPECT_EQ(code_of(R"({"v":1,"cmd":"log-level"})"), codes::bad_args);
    EXPECT_EQ(message_of(R"({"v":1,"cmd":"log-level"})"),
              "log-level needs \"level\" (one of debug, info, warning, error)");
    EXPECT_EQ(message_of(R"({"v":1,"cmd":"log-level","level":"verbose"})"),
              "\"level\" must be one of debug, info, warning, error, got \"verbose\"");
    EXPECT_EQ(code_of(R"({"v":1,"cmd":"log-level","level":"DEBUG"})"), codes::bad_args);
    EXPECT_EQ(code_of(R"({"v":1,"cmd":"log-level","level":1})"), codes::bad_args);
    EXPECT_EQ(message_of(R"({"v":1,"cmd":"log-level","level":{"a":1}})"),
              "\"level\" must be one of debug, info, warning, error, got an object");
}

TEST(ControlProtocol, RequestsSerialiseToWhatTheServerParses) {
    Request status;
    EXPECT_EQ(serialise_request(status), "{\"v\":1,\"cmd\":\"status\"}\n");
    Request points;
    points.command = Command::points;
    EXPECT_EQ(serialise_request(points), "{\"v\":1,\"cmd\":\"points\"}\n");
    points.device = "meter-1";
    EXPECT_EQ(serialise_request(points), "{\"v\":1,\"cmd\":\"points\",\"device\":\"meter-1\"}\n");
    Request audit;
    audit.command = Command::audit;
    audit.since_ms = 1763719200000;
    audit.limit = 20;
    EXPECT_EQ(serialise_request(audit),
              "{\"v\":1,\"cmd\":\"audit\",\"since\":1763719200000,\"limit\":20}\n");
    Request level;
    level.command = Command::log_level;
    level.level = sdk::LogLevel::warning;
    EXPECT_EQ(serialise_request(level), "{\"v\":1,\"cmd\":\"log-level\",\"level\":\"warning\"}\n");
    Request check;
    check.command = Command::check_config;
    EXPECT_EQ(serialise_request(check), "{\"v\":1,\"cmd\":\"check-config\"}\n");

    for (const Request& r : {status, points, audit, level, check}) {
        const auto line = serialise_request(r);
        EXPECT_EQ(parsed(std::string_view(line).substr(0, line.size() - 1)), r) << line;
    }
}

TEST(ControlProtocol, DescribeIsOneShortLine) {
    Request r;
    EXPECT_EQ(describe(r), "status");
    r.command = Command::points;
    r.device = "m\n1";
    EXPECT_EQ(describe(r), "points device=m?1");
    r.command = Command::audit;
    r.since_ms = 5;
    r.limit = 7;
    EXPECT_EQ(describe(r), "audit since=5 limit=7");
    r.command = Command::log_level;
    r.level = sdk::LogLevel::debug;
    EXPECT_EQ(describe(r), "log-level debug");
}

TEST(ControlProtocol, ResponsesHaveExactBytes) {
    EXPECT_EQ(serialise_ok(nlohmann::json::object()), "{\"v\":1,\"ok\":true,\"result\":{}}\n");
    EXPECT_EQ(serialise_ok({{"level", "debug"}, {"previous", "info"}}),
              "{\"v\":1,\"ok\":true,\"result\":{\"level\":\"debug\",\"previous\":\"info\"}}\n");
    EXPECT_EQ(serialise_error(
                  Error{"control.refused", "uid 1001 is not root and not in group lintel-admin"}),
              "{\"v\":1,\"ok\":false,\"error\":{\"code\":\"control.refused\",\"message\":\"uid "
              "1001 is not root and not in group lintel-admin\"}}\n");
    // Broken UTF-8 from the daemon's side (a device name cut short) is replaced, not thrown.
    const auto line = serialise_ok({{"device", std::string("z\xc3")}});
    EXPECT_EQ(line.find('\n'), line.size() - 1);
    EXPECT_TRUE(parse_response(std::string_view(line).substr(0, line.size() - 1)));
    const auto err = serialise_error(Error{"x.y", "cut \xe2\x82"});
    EXPECT_EQ(err.find('\n'), err.size() - 1);
}

TEST(ControlProtocol, ResponsesParseBack) {
    auto ok = parse_response(R"({"v":1,"ok":true,"result":{"queue":{"points":3}}})");
    ASSERT_TRUE(ok) << ok.error().message;
    EXPECT_EQ((*ok)["queue"]["points"], 3);
    auto refused =
        parse_response(R"({"v":1,"ok":false,"error":{"code":"control.refused","message":"no"}})");
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, "control.refused");
    EXPECT_EQ(refused.error().message, "no");
    // A newer linteld may add envelope fields.
    EXPECT_TRUE(parse_response(R"({"v":1,"ok":true,"result":{},"took_ms":3})"));
}

TEST(ControlProtocol, BadResponsesAreBadResponse) {
    for (auto bad :
         {"", "nonsense", "[]", R"({"ok":true,"result":{}})", R"({"v":2,"ok":true,"result":{}})",
          R"({"v":1,"result":{}})", R"({"v":1,"ok":"yes","result":{}})", R"({"v":1,"ok":true})",
          R"({"v":1,"ok":true,"result":[]})", R"({"v":1,"ok":false})",
          R"({"v":1,"ok":false,"error":"no"})",
          R"({"v":1,"ok":false,"error":{"code":1,"message":"m"}})",
          R"({"v":1,"ok":false,"error":{"code":"c"}})", R"({"v":1,"v":1,"ok":true,"result":{}})"}) {
        auto r = parse_response(bad);
        ASSERT_FALSE(r) << bad;
        EXPECT_EQ(r.error().code, codes::bad_response) << bad;
    }
    std::string deep = R"({"v":1,"ok":true,"result":{"x":)";
    deep += std::string(100, '[') + std::string(100, ']') + "}}";
    EXPECT_EQ(parse_response(deep).error().code, codes::bad_response);
}

TEST(ControlProtocol, NamesRoundTrip) {
    for (auto c : {Command::status, Command::queue, Command::points, Command::audit,
                   Command::check_config, Command::reload, Command::log_level}) {
        EXPECT_EQ(command_from_name(command_name(c)), c);
    }
    for (auto l : {sdk::LogLevel::debug, sdk::LogLevel::info, sdk::LogLevel::warning,
                   sdk::LogLevel::error}) {
        EXPECT_EQ(log_level_from_name(log_level_name(l)), l);
    }
    EXPECT_FALSE(command_from_name("config"));
    EXPECT_FALSE(log_level_from_name("warn"));
}

TEST(ControlProtocol, PeekCommandIsForLogsOnly) {
    EXPECT_EQ(peek_command(R"({"v":2,"cmd":"status"})"), "status");
    EXPECT_EQ(peek_command(R"({"v":1,"cmd":"reboot","x":1})"), "reboot");
    EXPECT_FALSE(peek_command(R"({"v":1})"));
    EXPECT_FALSE(peek_command("garbage"));
    EXPECT_FALSE(peek_command(R"({"v":1,"cmd":7})"));
}

}  // namespace
}  // namespace lintel::control

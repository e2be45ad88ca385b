// Unit tests of the JSON point mapping: config keys and their errors, extraction (pointers,
// types, scaling, timestamps, every error class), the inverse mapping for writes and templates.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/yaml_loader.hpp"
#include "extract.hpp"
#include "lintel/config_reader.hpp"
#include "mapping.hpp"
#include "payload_template.hpp"
#include "timestamp.hpp"

namespace lintel::jsonmap {
namespace {

constexpr std::int64_t k_now = 1'700'000'000'000;

// Reads one mapping from YAML; `issues` gets "file:line:col: path: reason" lines.
std::optional<PointMapping> mapping_of(const std::string& yaml,
                                       std::vector<std::string>* issues = nullptr) {
    sdk::ConfigErrors errors;
    auto root = core::load_yaml_string(yaml, "point.yaml", errors);
    std::optional<PointMapping> m;
    if (root) {
        sdk::MapReader r(*root, errors);
        m = read_mapping(r);
        r.finish();
    }
    if (issues != nullptr) {
        for (const auto& i : errors.issues()) issues->push_back(i.to_string());
    }
    return errors.empty() ? m : std::nullopt;
}

std::string error_of(const std::string& yaml) {
    std::vector<std::string> issues;
    EXPECT_FALSE(mapping_of(yaml, &issues));
    EXPECT_EQ(issues.size(), 1U) << ::testing::PrintToString(issues);
    return issues.empty() ? std::string() : issues.front();
}

PointMapping point(std::string pointer, ValueType type) {
    PointMapping m;
    m.name = "p";
    m.pointer = std::move(pointer);
    m.type = type;
    return m;
}

Extraction one(std::string_view payload, const PointMapping& m) {
    auto out = extract(payload, std::span<const PointMapping>(&m, 1), "dev", k_now);
    EXPECT_EQ(out.size(), 1U);
    return out.front();
}

std::string code_of(std::string_view payload, const PointMapping& m) {
    const Extraction e = one(payload, m);
    EXPECT_EQ(e.value.quality, sdk::Quality::error);
    return e.error ? e.error->code : std::string("(good)");
}

TEST(JsonMappingConfig, DefaultsAndEveryKey) {
    auto d = mapping_of("name: t\npointer: /a\n");
    ASSERT_TRUE(d);
    EXPECT_EQ(d->type, ValueType::real);
    EXPECT_EQ(d->scale, 1);
    EXPECT_FALSE(d->writable);
    EXPECT_FALSE(d->timestamp);

    auto m = mapping_of(
        "name: power\npointer: /meters/0/power\ntype: int\nscale: 0.1\noffset: -2\nunit: W\n"
        "timestamp: /meters/0/ts\nwritable: true\nmin: 0\nmax: 3000\nfrom_text: true\n");
    ASSERT_TRUE(m);
    EXPECT_EQ(m->pointer, "/meters/0/power");
    EXPECT_EQ(m->type, ValueType::integer);
    EXPECT_EQ(m->published_type(), ValueType::real);
    EXPECT_DOUBLE_EQ(m->scale, 0.1);
    EXPECT_DOUBLE_EQ(m->offset, -2);
    EXPECT_EQ(m->unit, "W");
    EXPECT_EQ(m->timestamp, "/meters/0/ts");
    EXPECT_TRUE(m->from_text);
    EXPECT_EQ(m->min, 0);
    EXPECT_EQ(m->max, 3000);
}

TEST(JsonMappingConfig, ErrorsNameTheKeyAndWhy) {
    EXPECT_EQ(error_of("name: t\npointer: data/temp\n"),
              "point.yaml:2:10: pointer: a JSON pointer starts with \"/\" (e.g. /data/temp), got "
              "\"data/temp\"");
    EXPECT_NE(error_of("name: t\npointer: /a~2b\n").find("must be written ~0"), std::string::npos);
    EXPECT_NE(error_of("name: t\npointer: /a\ntype: double\n").find("type"), std::string::npos);
    EXPECT_NE(error_of("name: t\npointer: /a\ntype: string\nscale: 2\n")
                  .find("scale applies only to int and float points"),
              std::string::npos);
    EXPECT_NE(error_of("name: t\npointer: /a\nscale: 0\n").find("scale must not be 0"),
              std::string::npos);
    EXPECT_NE(error_of("name: t\npointer: /a\nmax: 3\n").find("needs writable: true"),
              std::string::npos);
    EXPECT_NE(error_of("name: t\npointer: /a\nwritable: true\nmin: 5\nmax: 3\n").find("below min"),
              std::string::npos);
    EXPECT_NE(error_of("name: t\npointer: /a\ntype: string\nfrom_text: true\n").find("from_text"),
              std::string::npos);
    EXPECT_NE(error_of("name: t\npointer: /a\ntimestamp: ts\n").find("timestamp"),
              std::string::npos);
    EXPECT_NE(error_of("name: t\n").find("pointer"), std::string::npos);
    EXPECT_NE(error_of("name: t\npointer: /a\ncolour: red\n").find("colour"), std::string::npos);
}

TEST(JsonMappingExtract, PointersWithEscapesAndArrays) {
    const std::string doc = R"({"a/b":{"m~n":[10,{"x":true}]},"":5,"s":"on"})";
    EXPECT_EQ(one(doc, point("/a~1b/m~0n/0", ValueType::integer)).value.value,
              sdk::Value{std::int64_t{10}});
    EXPECT_EQ(one(doc, point("/a~1b/m~0n/1/x", ValueType::boolean)).value.value, sdk::Value{true});
    EXPECT_EQ(one(doc, point("/", ValueType::integer)).value.value, sdk::Value{std::int64_t{5}});
    EXPECT_EQ(one(doc, point("/s", ValueType::string)).value.value, sdk::Value{std::string("on")});
    EXPECT_EQ(one("42", point("", ValueType::integer)).value.value, sdk::Value{std::int64_t{42}});
    // Leading zeros, "-" and out-of-range indexes name no element.
    EXPECT_EQ(code_of(doc, point("/a~1b/m~0n/01", ValueType::integer)), "mapping.missing");
    EXPECT_EQ(code_of(doc, point("/a~1b/m~0n/-", ValueType::integer)), "mapping.missing");
    EXPECT_EQ(code_of(doc, point("/a~1b/m~0n/2", ValueType::integer)), "mapping.missing");
    EXPECT_EQ(code_of(doc, point("/s/0", ValueType::integer)), "mapping.missing");
}

TEST(JsonMappingExtract, GoodValueCarriesDeviceUnitAndReadTime) {
    PointMapping m = point("/t", ValueType::real);
    m.unit = "°C";
    const Extraction e = one(R"({"t":21.5})", m);
    EXPECT_FALSE(e.error);
    EXPECT_EQ(e.value.device, "dev");
    EXPECT_EQ(e.value.point, "p");
    EXPECT_EQ(e.value.unit, "°C");
    EXPECT_EQ(e.value.quality, sdk::Quality::good);
    EXPECT_EQ(e.value.ts_ms, k_now);
    EXPECT_EQ(e.value.value, sdk::Value{21.5});
}

TEST(JsonMappingExtract, EveryPointOfABrokenPayloadIsAnError) {
    std::vector<PointMapping> ms{point("/a", ValueType::real), point("/b", ValueType::boolean)};
    for (std::string_view bad : {"{\"a\":", "<html>500</html>", "", "{\"a\":1,\"a\":2}"}) {
        auto out = extract(bad, ms, "dev", k_now);
        ASSERT_EQ(out.size(), 2U);
        for (const auto& e : out) {
            EXPECT_EQ(e.value.quality, sdk::Quality::error);
            ASSERT_TRUE(e.error);
            EXPECT_EQ(e.error->code, "mapping.not_json") << bad;
        }
    }
    const auto first = extract("{\"a\":", ms, "dev", k_now);
    EXPECT_NE(first[0].error->message.find("not valid JSON at byte"), std::string::npos)
        << first[0].error->message;
    // Nesting beyond the limit is refused while parsing.
    const std::string deep = std::string(200, '[') + std::string(200, ']');
    EXPECT_EQ(code_of(deep, point("/0", ValueType::real)), "mapping.not_json");
}

TEST(JsonMappingExtract, WrongTypesAreErrorsUnlessFromText) {
    EXPECT_EQ(code_of(R"({"t":"21.5"})", point("/t", ValueType::real)), "mapping.wrong_type");
    const Extraction e = one(R"({"t":"21.5"})", point("/t", ValueType::real));
    EXPECT_EQ(e.error->message,
              "value at /t is a string, expected float (set from_text: true to accept values "
              "sent as text)");
    EXPECT_EQ(code_of(R"({"t":null})", point("/t", ValueType::real)), "mapping.wrong_type");
    EXPECT_EQ(code_of(R"({"t":1})", point("/t", ValueType::boolean)), "mapping.wrong_type");
    EXPECT_EQ(code_of(R"({"t":21.5})", point("/t", ValueType::integer)), "mapping.wrong_type");
    EXPECT_EQ(code_of(R"({"t":5})", point("/t", ValueType::string)), "mapping.wrong_type");
    EXPECT_EQ(code_of(R"({"t":18446744073709551615})", point("/t", ValueType::integer)),
              "mapping.out_of_range");
    // An integral float is an int; a float point takes ints.
    EXPECT_EQ(one(R"({"t":21.0})", point("/t", ValueType::integer)).value.value,
              sdk::Value{std::int64_t{21}});
    EXPECT_EQ(one(R"({"t":21})", point("/t", ValueType::real)).value.value, sdk::Value{21.0});

    PointMapping text = point("/t", ValueType::real);
    text.from_text = true;
    EXPECT_EQ(one(R"({"t":"21.5"})", text).value.value, sdk::Value{21.5});
    EXPECT_EQ(one(R"({"t":21.5})", text).value.value, sdk::Value{21.5});
    EXPECT_EQ(code_of(R"({"t":"warm"})", text), "mapping.wrong_type");
    PointMapping flag = point("/on", ValueType::boolean);
    flag.from_text = true;
    EXPECT_EQ(one(R"({"on":"false"})", flag).value.value, sdk::Value{false});
}

TEST(JsonMappingExtract, ScaleAndOffset) {
    PointMapping m = point("/raw", ValueType::integer);
    m.scale = 0.1;
    m.offset = -40;
    const Extraction e = one(R"({"raw":655})", m);
    ASSERT_TRUE(std::holds_alternative<double>(e.value.value));
    EXPECT_NEAR(std::get<double>(e.value.value), 25.5, 1e-9);
    EXPECT_EQ(zero_value(m), sdk::Value{0.0});
}

TEST(JsonMappingExtract, TimestampsInSecondsMillisecondsAndRfc3339) {
    PointMapping m = point("/v", ValueType::real);
    m.timestamp = "/ts";
    EXPECT_EQ(one(R"({"v":1,"ts":1763806500})", m).value.ts_ms, 1763806500000);
    EXPECT_EQ(one(R"({"v":1,"ts":1763806500.25})", m).value.ts_ms, 1763806500250);
    EXPECT_EQ(one(R"({"v":1,"ts":1763806500123})", m).value.ts_ms, 1763806500123);
    EXPECT_EQ(one(R"({"v":1,"ts":"2025-11-22T10:15:00.5Z"})", m).value.ts_ms, 1763806500500);
    EXPECT_EQ(one(R"({"v":1,"ts":"2025-11-22T11:15:00+01:00"})", m).value.ts_ms, 1763806500000);
    EXPECT_EQ(code_of(R"({"v":1,"ts":"yesterday"})", m), "mapping.bad_timestamp");
    EXPECT_EQ(code_of(R"({"v":1,"ts":"2025-11-22T10:15:00"})", m), "mapping.bad_timestamp");
    EXPECT_EQ(code_of(R"({"v":1,"ts":-5})", m), "mapping.bad_timestamp");
    EXPECT_EQ(code_of(R"({"v":1})", m), "mapping.bad_timestamp");
}

TEST(JsonMappingTimestamp, Rfc3339Edges) {
    EXPECT_EQ(parse_rfc3339_ms("1970-01-01T00:00:00Z"), 0);
    EXPECT_EQ(parse_rfc3339_ms("2024-02-29t12:00:00z"), 1709208000000);
    EXPECT_FALSE(parse_rfc3339_ms("2023-02-29T12:00:00Z"));
    EXPECT_FALSE(parse_rfc3339_ms("2023-13-01T12:00:00Z"));
    EXPECT_FALSE(parse_rfc3339_ms("2023-01-01T12:00:00.Z"));
    EXPECT_FALSE(parse_rfc3339_ms("2023-01-01T12:00:00Zjunk"));
    EXPECT_EQ(unix_number_to_ms(k_ms_threshold - 1),
              static_cast<std::int64_t>(k_ms_threshold - 1) * 1000);
    EXPECT_EQ(unix_number_to_ms(k_ms_threshold), static_cast<std::int64_t>(k_ms_threshold));
}

TEST(JsonMappingWrite, TypesLimitsAndInverseScaling) {
    PointMapping m = point("/set", ValueType::integer);
    m.writable = true;
    m.scale = 0.5;
    m.min = 0;
    m.max = 30;
    EXPECT_EQ(to_device_value(m, sdk::Value{21.0}), sdk::Value{std::int64_t{42}});
    EXPECT_EQ(to_device_value(m, sdk::Value{31.0}).error().code, "write.range");
    EXPECT_EQ(to_device_value(m, sdk::Value{true}).error().code, "write.type");
    PointMapping exact = point("/n", ValueType::integer);
    exact.writable = true;
    EXPECT_EQ(to_device_value(exact, sdk::Value{std::int64_t{7}}), sdk::Value{std::int64_t{7}});
    EXPECT_EQ(to_device_value(exact, sdk::Value{7.5}).error().code, "write.type");
    PointMapping relay = point("/on", ValueType::boolean);
    relay.writable = true;
    EXPECT_EQ(to_device_value(relay, sdk::Value{true}), sdk::Value{true});
    EXPECT_EQ(to_device_value(relay, sdk::Value{std::string("on")}).error().code, "write.type");
    relay.writable = false;
    EXPECT_EQ(to_device_value(relay, sdk::Value{true}).error().code, "write.not_writable");
}

TEST(JsonMappingTemplate, JsonEscapingKeepsTheResultValid) {
    auto t = PayloadTemplate::parse(R"({"{{point}}": {{value}}, "dev": "{{ device }}"})",
                                    Escape::json, ValueType::string);
    ASSERT_TRUE(t) << t.error().message;
    const sdk::Value v{std::string("say \"hi\"\n\\")};
    const std::string out = t->render(TemplateContext{v, "a\"b", "d/e"});
    const auto parsed = nlohmann::json::parse(out);
    EXPECT_EQ(parsed["a\"b"], "say \"hi\"\n\\");
    EXPECT_EQ(parsed["dev"], "d/e");
    const sdk::Value b{true};
    EXPECT_EQ(PayloadTemplate::parse("{\"on\":{{value}}}", Escape::json, ValueType::boolean)
                  ->render(TemplateContext{b, "p", "d"}),
              "{\"on\":true}");
    const sdk::Value bad_utf8{std::string("\xff")};
    EXPECT_TRUE(nlohmann::json::accept(t->render(TemplateContext{bad_utf8, "p", "d"})));
}

TEST(JsonMappingTemplate, UrlEscaping) {
    auto t = PayloadTemplate::parse("/relay/0?turn={{text}}&v={{value}}&d={{device}}", Escape::url,
                                    ValueType::string);
    ASSERT_TRUE(t);
    const sdk::Value v{std::string("on & off")};
    EXPECT_EQ(t->render(TemplateContext{v, "p", "plug 1"}),
              "/relay/0?turn=on%20%26%20off&v=%22on%20%26%20off%22&d=plug%201");
}

TEST(JsonMappingTemplate, Errors) {
    EXPECT_EQ(PayloadTemplate::parse("{{valu}}", Escape::json, ValueType::real).error().code,
              "template.syntax");
    EXPECT_EQ(PayloadTemplate::parse("x {{value", Escape::json, ValueType::real).error().code,
              "template.syntax");
    // Quotes around {{value}} double the quotes of a string value.
    EXPECT_EQ(PayloadTemplate::parse(R"({"v":"{{value}}"})", Escape::json, ValueType::string)
                  .error()
                  .code,
              "template.invalid_json");
    EXPECT_EQ(
        PayloadTemplate::parse(R"({"v":{{value}})", Escape::json, ValueType::real).error().code,
        "template.invalid_json");
    // Plain text payloads are not checked as JSON.
    EXPECT_TRUE(PayloadTemplate::parse("ON", Escape::json, ValueType::boolean));
    EXPECT_TRUE(PayloadTemplate::parse("{{text}}", Escape::json, ValueType::string));
}

}  // namespace
}  // namespace lintel::jsonmap

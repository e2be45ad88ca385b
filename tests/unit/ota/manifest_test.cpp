// The manifest payload: every field parsed, every refusal naming its field, and the builder
// producing exactly what the parser accepts.
#include "ota/manifest.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ota/reason_codes.hpp"

namespace lintel::ota {
namespace {

using nlohmann::json;

const std::string k_hash(64, 'a');

json full_payload() {
    return json{
        {"v", 1},
        {"id", "lintel-1.4.2-1"},
        {"component", "lintel"},
        {"version", "1.4.2-1"},
        {"handler", "deb"},
        {"target",
         {{"product", "lintel-gw"}, {"hardware", {"rev-b", "rev-c"}}, {"gateways", {"gw-001"}}}},
        {"artifacts",
         {{{"name", "lintel_1.4.2-1_arm64.deb"},
           {"url", "https://updates.example.com/lintel/lintel_1.4.2-1_arm64.deb"},
           {"sha256", k_hash},
           {"size", 123456}}}},
        {"min_version", "1.2.0"},
        {"allow_downgrade", false},
        {"params", {{"timeout", "300s"}}},
        {"issued_at", 1700000000000},
        {"expires_at", 1702592000000},
    };
}

TEST(Manifest, ParsesEveryField) {
    auto m = parse_manifest_payload(full_payload().dump());
    ASSERT_TRUE(m) << m.error().message;
    EXPECT_EQ(m->id, "lintel-1.4.2-1");
    EXPECT_EQ(m->component, "lintel");
    EXPECT_EQ(m->version, "1.4.2-1");
    EXPECT_EQ(m->handler, "deb");
    EXPECT_EQ(m->target.product, "lintel-gw");
    EXPECT_EQ(m->target.hardware, (std::vector<std::string>{"rev-b", "rev-c"}));
    ASSERT_TRUE(m->target.gateways);
    EXPECT_EQ(*m->target.gateways, std::vector<std::string>{"gw-001"});
    ASSERT_EQ(m->artifacts.size(), 1u);
    EXPECT_EQ(m->artifacts[0].name, "lintel_1.4.2-1_arm64.deb");
    EXPECT_EQ(m->artifacts[0].url, "https://updates.example.com/lintel/lintel_1.4.2-1_arm64.deb");
    EXPECT_EQ(m->artifacts[0].sha256, k_hash);
    EXPECT_EQ(m->artifacts[0].size, 123456u);
    EXPECT_EQ(m->min_version, "1.2.0");
    EXPECT_FALSE(m->allow_downgrade);
    EXPECT_EQ(m->params.at("timeout"), "300s");
    EXPECT_EQ(m->issued_at_ms, 1700000000000);
    EXPECT_EQ(m->expires_at_ms, 1702592000000);
}

TEST(Manifest, OptionalFieldsHaveDefaults) {
    json p = full_payload();
    for (auto key : {"min_version", "allow_downgrade", "params", "expires_at"}) p.erase(key);
    p["target"].erase("gateways");
    auto m = parse_manifest_payload(p.dump());
    ASSERT_TRUE(m) << m.error().message;
    EXPECT_FALSE(m->min_version);
    EXPECT_FALSE(m->allow_downgrade);
    EXPECT_TRUE(m->params.empty());
    EXPECT_FALSE(m->expires_at_ms);
    EXPECT_FALSE(m->target.gateways);
}

struct Refusal {
    std::string name;
    std::function<void(json&)> change;
    std::string message;  // a part of the message, starting with the field path
};

TEST(Manifest, EveryRefusalNamesItsField) {
    const std::vector<Refusal> cases{
        {"not an object", [](json& p) { p = json::array(); }, "manifest: must be a JSON object"},
        {"no v", [](json& p) { p.erase("v"); }, "manifest: has no \"v\""},
        {"v 2", [](json& p) { p["v"] = 2; }, "v: format 2 is not supported"},
        {"v string", [](json& p) { p["v"] = "1"; }, "v: format \"1\" is not supported"},
        {"unknown key", [](json& p) { p["signature"] = "x"; },
         "manifest: unknown key \"signature\""},
        {"missing id", [](json& p) { p.erase("id"); }, "manifest: has no \"id\""},
        {"missing artifacts", [](json& p) { p.erase("artifacts"); },
         "manifest: has no \"artifacts\""},
        {"missing issued_at", [](json& p) { p.erase("issued_at"); },
         "manifest: has no \"issued_at\""},
        {"id charset", [](json& p) { p["id"] = "a b"; }, "id: must be 1-64 characters"},
        {"id type", [](json& p) { p["id"] = 5; }, "id: must be a string, got number"},
        {"component upper", [](json& p) { p["component"] = "Lintel"; }, "component: must be 1-64"},
        {"component dot", [](json& p) { p["component"] = ".x"; }, "component: must be 1-64"},
        {"version", [](json& p) { p["version"] = "latest"; },
         "version: \"latest\" upstream version must start with a digit"},
        {"handler", [](json& p) { p["handler"] = "Deb"; },
         "handler: must be 1-64 characters of a-z 0-9 -"},
        {"target type", [](json& p) { p["target"] = "x"; },
         "target: must be an object, got string"},
        {"target unknown", [](json& p) { p["target"]["region"] = "eu"; },
         "target: unknown key \"region\""},
        {"target no product", [](json& p) { p["target"].erase("product"); },
         "target: has no \"product\""},
        {"target no hardware", [](json& p) { p["target"].erase("hardware"); },
         "target: has no \"hardware\""},
        {"product", [](json& p) { p["target"]["product"] = "a/b"; }, "target.product: must be"},
        {"hardware string", [](json& p) { p["target"]["hardware"] = "rev-b"; },
         "target.hardware: must be a list of strings, got string"},
        {"hardware empty", [](json& p) { p["target"]["hardware"] = json::array(); },
         "target.hardware: must not be empty"},
        {"hardware dup",
         [](json& p) {
             p["target"]["hardware"] = {"a", "a"};
         },
         "target.hardware[1]: duplicate \"a\""},
        {"hardware item",
         [](json& p) {
             p["target"]["hardware"] = {"a", 1};
         },
         "target.hardware[1]: must be a string"},
        {"hardware too many",
         [](json& p) {
             p["target"]["hardware"] = json::array();
             for (int i = 0; i < 65; ++i)
                 p["target"]["hardware"].push_back("h" + std::to_string(i));
         },
         "target.hardware: lists 65 entries; at most 64"},
        {"gateways empty", [](json& p) { p["target"]["gateways"] = json::array(); },
         "target.gateways: must not be empty"},
        {"gateway id", [](json& p) { p["target"]["gateways"] = {"gw 1"}; },
         "target.gateways[0]: must be"},
        {"artifacts type", [](json& p) { p["artifacts"] = json::object(); },
         "artifacts: must be a list of objects"},
        {"artifacts empty", [](json& p) { p["artifacts"] = json::array(); },
         "artifacts: must list at least one artifact"},
        {"artifacts too many",
         [](json& p) {
             json a = p["artifacts"][0];
             p["artifacts"] = json::array();
             for (int i = 0; i < 17; ++i) {
                 a["name"] = "a" + std::to_string(i);
                 p["artifacts"].push_back(a);
             }
         },
         "artifacts: lists 17 artifacts; at most 16"},
        {"artifact type", [](json& p) { p["artifacts"][0] = "x"; },
         "artifacts[0]: must be an object"},
        {"artifact unknown", [](json& p) { p["artifacts"][0]["md5"] = "x"; },
         "artifacts[0]: unknown key \"md5\""},
        {"artifact no size", [](json& p) { p["artifacts"][0].erase("size"); },
         "artifacts[0]: has no \"size\""},
        {"artifact name slash", [](json& p) { p["artifacts"][0]["name"] = "../etc/passwd"; },
         "artifacts[0].name: must be 1-128"},
        {"artifact name dot", [](json& p) { p["artifacts"][0]["name"] = ".hidden"; },
         "artifacts[0].name: must be 1-128"},
        {"artifact dup", [](json& p) { p["artifacts"].push_back(p["artifacts"][0]); },
         "artifacts[1].name: duplicate artifact name"},
        {"url http", [](json& p) { p["artifacts"][0]["url"] = "http://x/a.deb"; },
         "artifacts[0].url: must be an https:// URL"},
        {"url file", [](json& p) { p["artifacts"][0]["url"] = "file:///tmp/a.deb"; },
         "artifacts[0].url: must be an https:// URL"},
        {"url no host", [](json& p) { p["artifacts"][0]["url"] = "https:///a.deb"; },
         "artifacts[0].url: has no host"},
        {"url credentials", [](json& p) { p["artifacts"][0]["url"] = "https://u:pw@host/a.deb"; },
         "artifacts[0].url: must not carry credentials"},
        {"url space", [](json& p) { p["artifacts"][0]["url"] = "https://host/a b.deb"; },
         "artifacts[0].url: must be printable ASCII"},
        {"url long",
         [](json& p) { p["artifacts"][0]["url"] = "https://host/" + std::string(2100, 'a'); },
         "artifacts[0].url: is longer than 2048"},
        {"sha short", [](json& p) { p["artifacts"][0]["sha256"] = "abc"; },
         "artifacts[0].sha256: not 64 lower-case hex digits"},
        {"sha upper", [](json& p) { p["artifacts"][0]["sha256"] = std::string(64, 'A'); },
         "artifacts[0].sha256: not 64 lower-case hex digits"},
        {"size zero", [](json& p) { p["artifacts"][0]["size"] = 0; },
         "artifacts[0].size: must be an integer number of bytes, 1 to 2^40, got 0"},
        {"size negative", [](json& p) { p["artifacts"][0]["size"] = -1; },
         "artifacts[0].size: must be an integer"},
        {"size float", [](json& p) { p["artifacts"][0]["size"] = 1.5; },
         "artifacts[0].size: must be an integer"},
        {"size huge", [](json& p) { p["artifacts"][0]["size"] = (1ULL << 40) + 1; },
         "artifacts[0].size: must be an integer"},
        {"size string", [](json& p) { p["artifacts"][0]["size"] = "1"; },
         "artifacts[0].size: must be an integer number of bytes, 1 to 2^40, got string"},
        {"min_version bad", [](json& p) { p["min_version"] = "x"; }, "min_version: \"x\""},
        {"min_version above", [](json& p) { p["min_version"] = "2.0"; },
         "min_version: \"2.0\" is higher than version"},
        {"allow_downgrade type", [](json& p) { p["allow_downgrade"] = "yes"; },
         "allow_downgrade: must be true or false, got string"},
        {"params type", [](json& p) { p["params"] = json::array(); }, "params: must be an object"},
        {"param name", [](json& p) { p["params"]["Dest"] = "x"; }, "params: name \"Dest\" must be"},
        {"param value type", [](json& p) { p["params"]["n"] = 5; },
         "params.n: must be a string, got number"},
        {"param value control", [](json& p) { p["params"]["n"] = "a\nb"; },
         "params.n: contains a control character"},
        {"param value long", [](json& p) { p["params"]["n"] = std::string(4097, 'x'); },
         "params.n: is longer than 4096 bytes"},
        {"params too many",
         [](json& p) {
             for (int i = 0; i < 65; ++i) p["params"]["p" + std::to_string(i)] = "x";
         },
         "params: has 66 entries; at most 64"},
        {"issued_at negative", [](json& p) { p["issued_at"] = -5; },
         "issued_at: must be an integer >= 0"},
        {"issued_at float", [](json& p) { p["issued_at"] = 1.0; },
         "issued_at: must be an integer >= 0"},
        {"expires before issued", [](json& p) { p["expires_at"] = 1700000000000; },
         "expires_at: must be later than issued_at"},
        {"object param",
         [](json& p) {
             p["params"]["n"] = {{"x", "y"}};
         },
         "params.n: must be a string, got object"},
        {"too deep",
         [](json& p) {
             p["params"]["n"] = {{"x", {{"y", "z"}}}};
         },
         "manifest.params.n: nested too deeply"},
    };
    for (const auto& c : cases) {
        json p = full_payload();
        c.change(p);
        auto m = parse_manifest_payload(p.dump());
        ASSERT_FALSE(m) << c.name;
        EXPECT_EQ(m.error().code, reason::malformed) << c.name;
        EXPECT_NE(m.error().message.find(c.message), std::string::npos)
            << c.name << ": " << m.error().message;
    }
}

TEST(Manifest, RefusesWhatIsNotStrictJson) {
    const std::vector<std::pair<std::string, std::string>> cases{
        {"", "manifest: empty"},
        {"{\"v\":1,\"v\":1}", "duplicate key \"v\""},
        {"\xEF\xBB\xBF{}", "byte order mark"},
        {"{\"v\":1,\"id\":\"\xff\"}", "manifest: "},
        {"{\"v\":1", "manifest: not valid JSON"},
    };
    for (const auto& [text, message] : cases) {
        auto m = parse_manifest_payload(text);
        ASSERT_FALSE(m) << text;
        EXPECT_EQ(m.error().code, reason::malformed);
        EXPECT_NE(m.error().message.find(message), std::string::npos) << m.error().message;
    }
}

TEST(Manifest, BuilderRoundTripsAndRefusesWhatTheParserRefuses) {
    auto m = parse_manifest_payload(full_payload().dump());
    ASSERT_TRUE(m);
    auto text = manifest_payload(*m);
    ASSERT_TRUE(text) << text.error().message;
    auto back = parse_manifest_payload(*text);
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(*back, *m);
    EXPECT_TRUE(text->starts_with(R"({"v":1,"id":"lintel-1.4.2-1","component":"lintel")")) << *text;

    Manifest bad = *m;
    bad.artifacts[0].url = "http://insecure/a.deb";
    auto refused = manifest_payload(bad);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, error::bad_input);
    EXPECT_NE(refused.error().message.find("artifacts[0].url: must be an https:// URL"),
              std::string::npos);
    bad = *m;
    bad.params["x"] = "\xff";  // not UTF-8: refused, not silently replaced
    EXPECT_FALSE(manifest_payload(bad));
}

TEST(Manifest, FieldRules) {
    EXPECT_TRUE(is_artifact_name("lintel_1.4.2-1+b1~bpo_arm64.deb"));
    EXPECT_FALSE(is_artifact_name("a/b"));
    EXPECT_FALSE(is_artifact_name(std::string(129, 'a')));
    EXPECT_TRUE(is_component_name("meter-firmware"));
    EXPECT_FALSE(is_component_name("-x"));
    EXPECT_TRUE(is_sha256_hex(std::string(64, '0')));
    EXPECT_FALSE(is_sha256_hex(std::string(63, '0')));
    EXPECT_EQ(url_problem("https://h/p?q=1#f"), std::nullopt);
    EXPECT_TRUE(url_problem("HTTPS://h/p"));
}

}  // namespace
}  // namespace lintel::ota

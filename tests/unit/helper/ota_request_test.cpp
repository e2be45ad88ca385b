// The ota-* params: what each step accepts and the refusals, each naming the key.
#include "helper/ota_request.hpp"

#include <gtest/gtest.h>

namespace lintel::helper {
namespace {

using nlohmann::json;

json artifact(std::string path = "/var/lib/lintel/ota/staging/a.deb") {
    return {{"name", "package"},
            {"path", std::move(path)},
            {"sha256", std::string(64, 'a')},
            {"size", 10}};
}

json install_params() {
    return {{"handler", "deb"},
            {"component", "lintel"},
            {"version", "1:0.2.0~rc1+b2"},
            {"artifacts", json::array({artifact()})},
            {"params", {{"timeout_s", "30"}}},
            {"timeout_s", 120},
            {"manifest", "header.payload.signature"}};
}

std::string refusal(const json& params, OtaStep step = OtaStep::install) {
    auto parsed = parse_ota_params(params, step);
    if (parsed) return "accepted";
    EXPECT_EQ(parsed.error().code, "helper.bad_params");
    return parsed.error().message;
}

TEST(OtaRequest, AFullInstallRequestParses) {
    auto parsed = parse_ota_params(install_params(), OtaStep::install);
    ASSERT_TRUE(parsed) << parsed.error().message;
    EXPECT_EQ(parsed->handler, "deb");
    EXPECT_EQ(parsed->component, "lintel");
    EXPECT_EQ(parsed->version, "1:0.2.0~rc1+b2");
    ASSERT_EQ(parsed->artifacts.size(), 1u);
    EXPECT_EQ(parsed->artifacts[0].size, 10u);
    EXPECT_EQ(parsed->params.at("timeout_s"), "30");
    EXPECT_EQ(parsed->timeout, std::chrono::seconds(120));
    EXPECT_EQ(parsed->manifest, "header.payload.signature");
}

TEST(OtaRequest, InstallCarriesItsSignedManifest) {
    json p = install_params();
    p.erase("manifest");
    EXPECT_NE(refusal(p).find("\"manifest\" is required"), std::string::npos);
    p["manifest"] = "";
    EXPECT_NE(refusal(p).find("\"manifest\" must be the signed manifest"), std::string::npos);
    p["manifest"] = std::string(k_max_manifest_param, 'a');
    EXPECT_EQ(refusal(p), "accepted");
    p["manifest"] = std::string(k_max_manifest_param + 1, 'a');
    EXPECT_NE(refusal(p).find("65536 bytes, got 65537"), std::string::npos);
    p["manifest"] = json::object();
    EXPECT_NE(refusal(p).find("\"manifest\" must be a string"), std::string::npos);
    json commit = {
        {"handler", "deb"}, {"component", "lintel"}, {"version", "1"}, {"manifest", "a.b.c"}};
    EXPECT_NE(refusal(commit, OtaStep::commit).find("belongs to ota-install only"),
              std::string::npos);
}

TEST(OtaRequest, EveryManifestCanBeExpressed) {
    // The manifest's own bounds: 16 artifacts named up to 128 of [A-Za-z0-9._+~-], 64 params
    // named [a-z0-9_.-].
    json p = install_params();
    p["artifacts"] = json::array();
    for (int i = 0; i < 16; ++i) {
        json a = artifact();
        a["name"] = "lintel_1.4.2+b" + std::to_string(i) + "~rc1_arm64.deb" + std::string(90, 'x');
        p["artifacts"].push_back(a);
    }
    p["params"] = json::object();
    for (int i = 0; i < 64; ++i) p["params"]["k." + std::to_string(i) + "-x_y"] = "v";
    EXPECT_EQ(refusal(p), "accepted");
    p["artifacts"].push_back(artifact());
    EXPECT_NE(refusal(p).find("1 to 16 objects"), std::string::npos);
    p = install_params();
    p["params"] = json::object();
    for (int i = 0; i < 65; ++i) p["params"]["k" + std::to_string(i)] = "v";
    EXPECT_NE(refusal(p).find("at most 64 entries"), std::string::npos);
    json long_name = artifact();
    long_name["name"] = std::string(129, 'a');
    p = install_params();
    p["artifacts"] = json::array({long_name});
    EXPECT_NE(refusal(p).find(".name must be 1 to 128"), std::string::npos);
}

TEST(OtaRequest, DefaultsAndStepRules) {
    auto query = parse_ota_params({{"handler", "rauc"}, {"component", "system"}},
                                  OtaStep::installed_version);
    ASSERT_TRUE(query) << query.error().message;
    EXPECT_EQ(query->timeout, default_timeout(OtaStep::installed_version));
    EXPECT_NE(refusal({{"handler", "rauc"}, {"component", "system"}, {"version", "1"}},
                      OtaStep::installed_version)
                  .find("unknown key \"version\""),
              std::string::npos);
    json commit = install_params();
    commit.erase("manifest");
    EXPECT_NE(refusal(commit, OtaStep::commit).find("\"artifacts\" belong to ota-install only"),
              std::string::npos);
    commit.erase("artifacts");
    EXPECT_EQ(refusal(commit, OtaStep::commit), "accepted");
    commit.erase("version");
    EXPECT_NE(refusal(commit, OtaStep::rollback).find("\"version\" is required"),
              std::string::npos);
}

TEST(OtaRequest, RefusalsNameTheKey) {
    auto with = [](const char* key, json value) {
        json p = install_params();
        p[key] = std::move(value);
        return refusal(p);
    };
    EXPECT_NE(with("handler", "../deb").find("\"handler\""), std::string::npos);
    EXPECT_NE(with("handler", 7).find("\"handler\" must be a string"), std::string::npos);
    EXPECT_NE(with("component", "Lintel").find("\"component\""), std::string::npos);
    EXPECT_NE(with("component", "a/b").find("\"component\""), std::string::npos);
    EXPECT_NE(with("version", "1.0 beta").find("\"version\""), std::string::npos);
    EXPECT_NE(with("timeout_s", 0).find("timeout_s"), std::string::npos);
    EXPECT_NE(with("timeout_s", 1801).find("timeout_s"), std::string::npos);
    EXPECT_NE(with("params", {{"Key", "v"}}).find("params key"), std::string::npos);
    EXPECT_NE(with("params", {{"k", 1}}).find("params.k must be a string"), std::string::npos);
    EXPECT_NE(with("artifacts", json::array()).find("\"artifacts\""), std::string::npos);
    EXPECT_NE(with("artifacts", json::array({artifact("relative/a.deb")})).find(".path"),
              std::string::npos);
    json twice = json::array({artifact(), artifact()});
    EXPECT_NE(with("artifacts", twice).find("given twice"), std::string::npos);
    json bad_hash = artifact();
    bad_hash["sha256"] = std::string(64, 'A');
    EXPECT_NE(with("artifacts", json::array({bad_hash})).find(".sha256"), std::string::npos);
    json negative = artifact();
    negative["size"] = -1;
    EXPECT_NE(with("artifacts", json::array({negative})).find(".size"), std::string::npos);
    json extra = artifact();
    extra["mode"] = "0755";
    EXPECT_NE(with("artifacts", json::array({extra})).find("unknown key \"mode\""),
              std::string::npos);
    EXPECT_NE(with("reboot", true).find("unknown key \"reboot\""), std::string::npos);
}

}  // namespace
}  // namespace lintel::helper

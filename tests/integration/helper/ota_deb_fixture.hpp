// The deb handler's test bench: the real helper with deb.root set to a throwaway root with an
// empty dpkg database, test packages built at test time with dpkg-deb, and what dpkg in that root
// says. Shared by the deb, manifest and recovery tests.
#pragma once

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "ota_fixture.hpp"

namespace lintel::test {

class OtaDeb : public OtaFixture {
protected:
    void SetUp() override;

    std::filesystem::path root() const { return dir_ / "root"; }

    // otatest_<version>.deb in the staging directory: /usr/share/otatest/version holds
    // "<version>\n"; a postinst records that it ran (chrootless, under DPKG_ROOT).
    nlohmann::json build(const std::string& version, const std::string& package = "otatest");
    // "installed 2.0" etc., as dpkg in the throwaway root sees it.
    std::string dpkg_status(const std::string& package = "otatest");
    std::string installed_file();
    // ota-install of otatest `version` from `artifact` with a manifest signed for it.
    Expected<nlohmann::json> install(const nlohmann::json& artifact, const std::string& version);
    // ota-commit, ota-rollback, ... of otatest `version`.
    Expected<nlohmann::json> step(const std::string& action, const std::string& version);
};

}  // namespace lintel::test

// OtaDeb: the throwaway dpkg root, test packages, and the deb requests of the tests.
#include "ota_deb_fixture.hpp"

#include <unistd.h>

#include <gtest/gtest.h>

#include "support/files.hpp"

namespace lintel::test {

namespace fs = std::filesystem;
using nlohmann::json;

void OtaDeb::SetUp() {
    if (::geteuid() != 0) GTEST_SKIP() << "dpkg --root installs need root (CI runs as root)";
    OtaFixture::SetUp();
    // A dpkg database with nothing in it: enough for dpkg --root (packages without
    // dependencies or maintainer scripts that need the root's own programs).
    for (auto sub :
         {"var/lib/dpkg/info", "var/lib/dpkg/updates", "var/lib/dpkg/triggers", "var/log"}) {
        fs::create_directories(root() / sub);
    }
    ASSERT_TRUE(write_file(root() / "var/lib/dpkg/status", ""));
    start_ota_helper({"deb.root=" + root().string()});
}

json OtaDeb::build(const std::string& version, const std::string& package) {
    const fs::path tree = dir_ / ("tree-" + package + "-" + version);
    fs::create_directories(tree / "DEBIAN");
    fs::create_directories(tree / "usr/share/otatest");
    EXPECT_TRUE(write_file(tree / "DEBIAN/control",
                           "Package: " + package + "\nVersion: " + version +
                               "\nArchitecture: all\nMaintainer: lintel tests "
                               "<tests@example.invalid>\nDescription: OTA test package\n"));
    EXPECT_TRUE(write_file(tree / "DEBIAN/postinst",
                           "#!/bin/sh\nset -e\necho \"$1 " + version +
                               "\" >> \"$DPKG_ROOT/var/log/otatest-postinst\"\n",
                           0755));
    EXPECT_TRUE(write_file(tree / "usr/share/otatest/version", version + "\n"));
    const fs::path deb = staging_dir() / (package + "_" + version + "_all.deb");
    const auto built = run_program(
        dir_.path(), {"dpkg-deb", "--root-owner-group", "-b", tree.string(), deb.string()});
    EXPECT_EQ(built.status, "exit 0") << built.out << built.err;
    return artifact_for(deb, "package");
}

std::string OtaDeb::dpkg_status(const std::string& package) {
    const auto q =
        run_program(dir_.path(), {"dpkg-query", "--admindir=" + (root() / "var/lib/dpkg").string(),
                                  "-W", "--showformat=${db:Status-Status} ${Version}", package});
    if (q.status == "exit 1" && q.out.empty()) return "never heard of";
    return q.status == "exit 0" ? q.out : "unknown (" + q.status + ")";
}

std::string OtaDeb::installed_file() {
    return read_file(root() / "usr/share/otatest/version").value_or("(missing)");
}

Expected<json> OtaDeb::install(const json& artifact, const std::string& version) {
    return request("ota-install", with_manifest(params("deb", "otatest", version,
                                                       {{"artifacts", json::array({artifact})}})));
}

Expected<json> OtaDeb::step(const std::string& action, const std::string& version) {
    return request(action, params("deb", "otatest", version));
}

}  // namespace lintel::test

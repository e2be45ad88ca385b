// Dpkg: fixed argv per program, the root setting applied to each.
#include "dpkg.hpp"

#include <vector>

#include "handler_support.hpp"

namespace lintel::ota::deb {
namespace {

namespace fs = std::filesystem;
using sdk::update_codes::bad_params;

constexpr const char* k_dpkg = "/usr/bin/dpkg";
constexpr const char* k_dpkg_deb = "/usr/bin/dpkg-deb";
constexpr const char* k_dpkg_query = "/usr/bin/dpkg-query";
constexpr const char* k_dpkg_repack = "/usr/bin/dpkg-repack";

}  // namespace

Expected<Dpkg> Dpkg::from(const sdk::HandlerCall& call) {
    if (auto keys = only_keys(call.settings, {"root"}, "deb setting"); !keys) {
        return std::unexpected(keys.error());
    }
    if (auto keys = only_keys(call.params, {}, "deb param"); !keys) {
        return std::unexpected(keys.error());
    }
    std::string root;
    if (auto it = call.settings.find("root"); it != call.settings.end()) {
        root = it->second;
        if (!root.starts_with('/')) {
            return make_error(std::string(bad_params), "deb setting root must be absolute");
        }
    }
    return Dpkg(call, std::move(root));
}

Expected<DebFields> Dpkg::fields(const fs::path& deb) const {
    Run run;
    run.argv = {k_dpkg_deb, "--field", deb.string(), "Package", "Version"};
    run.timeout = std::chrono::seconds(60);
    auto result = run_ok(*call_.host, run, sdk::update_codes::artifact_mismatch,
                         "reading the package's fields");
    if (!result) return std::unexpected(result.error());
    return parse_deb_fields(result->out);
}

Expected<PackageState> Dpkg::state(const std::string& package) const {
    sdk::Command command;
    command.argv = {k_dpkg_query};
    if (!root_.empty()) command.argv.push_back("--root=" + root_);
    command.argv.insert(command.argv.end(),
                        {"-W", "--showformat=${db:Status-Status} ${Version}\\n", package});
    command.timeout = std::chrono::seconds(30);
    auto result = call_.host->run(command);
    if (!result) {
        return make_error(std::string(sdk::update_codes::query_failed), result.error().message);
    }
    if (!result->exited) {
        return make_error(std::string(sdk::update_codes::query_failed),
                          "dpkg-query was killed by signal " + std::to_string(result->signal));
    }
    return parse_package_state(package, result->exit_code, result->out);
}

Expected<void> Dpkg::install(const fs::path& deb, bool downgrade, std::string_view code) const {
    Run run;
    run.argv = {k_dpkg};
    if (!root_.empty())
        run.argv.insert(run.argv.end(), {"--root=" + root_, "--force-script-chrootless"});
    // Unattended: a conffile the administrator (or write-config) changed is kept, never asked
    // about; a new default lands beside it as .dpkg-dist.
    run.argv.insert(run.argv.end(), {"--force-confdef", "--force-confold"});
    if (downgrade) run.argv.push_back("--force-downgrade");
    run.argv.insert(run.argv.end(), {"-i", deb.string()});
    run.env = {"DEBIAN_FRONTEND=noninteractive"};
    auto result = run_ok(*call_.host, run, code, "dpkg -i " + deb.filename().string());
    if (!result) return std::unexpected(result.error());
    return {};
}

Expected<void> Dpkg::remove(const std::string& package, std::string_view code) const {
    Run run;
    run.argv = {k_dpkg};
    if (!root_.empty())
        run.argv.insert(run.argv.end(), {"--root=" + root_, "--force-script-chrootless"});
    run.argv.insert(run.argv.end(), {"--remove", package});
    run.env = {"DEBIAN_FRONTEND=noninteractive"};
    auto result = run_ok(*call_.host, run, code, "dpkg --remove " + package);
    if (!result) return std::unexpected(result.error());
    return {};
}

Expected<fs::path> Dpkg::repack(const std::string& package, const fs::path& dir,
                                std::string_view code) const {
    Run run;
    run.argv = {k_dpkg_repack};
    if (!root_.empty()) run.argv.push_back("--root=" + root_);
    run.argv.push_back(package);
    run.working_dir = dir;  // dpkg-repack writes <package>_<version>_<arch>.deb here
    auto result = run_ok(*call_.host, run, code, "dpkg-repack " + package);
    if (!result) return std::unexpected(result.error());
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        const std::string name = entry.path().filename().string();
        if (name.starts_with(package + "_") && name.ends_with(".deb") &&
            entry.is_regular_file(ec)) {
            return entry.path();
        }
    }
    return make_error(std::string(code),
                      "dpkg-repack " + package + " left no .deb in " + dir.string());
}

}  // namespace lintel::ota::deb

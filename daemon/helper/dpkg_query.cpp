// query_package: dpkg-query through run_command, and the reading of its answer.
#include "helper/dpkg_query.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "helper/protocol.hpp"
#include "helper/run_command.hpp"

namespace lintel::helper {
namespace {

constexpr const char* k_dpkg_query = "/usr/bin/dpkg-query";

Expected<PackageState> fail(std::string message) {
    return make_error(std::string(codes::internal), std::move(message));
}

// First line of dpkg-query's stderr, for a message that names what went wrong.
std::string first_line(std::string_view text) {
    auto end = text.find('\n');
    std::string line(text.substr(0, end));
    if (line.size() > 200) line.resize(200);
    return line;
}

}  // namespace

Expected<PackageState> parse_dpkg_query_output(std::string_view package, int exit_code,
                                               std::string_view out, std::string_view err) {
    // -W exits 1 with "no packages found matching X" for a package the database does not know.
    if (exit_code == 1 && out.empty() &&
        err.find("no packages found matching") != std::string_view::npos) {
        return PackageState{"not-installed", std::nullopt};
    }
    if (exit_code != 0) {
        return fail("dpkg-query for " + std::string(package) + " exited " +
                    std::to_string(exit_code) + ": " + first_line(err));
    }
    if (!out.ends_with('\n') || out.find('\n') != out.size() - 1) {
        return fail("dpkg-query for " + std::string(package) +
                    " printed not exactly one line (several architectures installed?)");
    }
    out.remove_suffix(1);
    const auto tab = out.find('\t');
    if (tab == std::string_view::npos) {
        return fail("dpkg-query for " + std::string(package) + " printed no tab-separated status");
    }
    PackageState state;
    state.status = std::string(out.substr(tab + 1));
    if (state.status.empty() ||
        state.status.find_first_not_of("abcdefghijklmnopqrstuvwxyz-") != std::string::npos) {
        return fail("dpkg-query for " + std::string(package) + " printed an unexpected status");
    }
    if (tab > 0 && state.status != "not-installed") state.version = std::string(out.substr(0, tab));
    return state;
}

Expected<PackageState> query_package(const std::filesystem::path& admindir,
                                     std::string_view package, std::chrono::milliseconds timeout) {
    CommandSpec spec;
    spec.argv = {k_dpkg_query};
    if (!admindir.empty()) {
        // dpkg-query treats a missing database like an empty one; a wrong --admindir must not
        // read as "not installed". (dpkg's own database always exists where dpkg does.)
        const auto status_file = admindir / "status";
        if (::access(status_file.c_str(), R_OK) != 0) {
            return fail("dpkg database " + status_file.string() +
                        " is not readable: " + std::strerror(errno));
        }
        spec.argv.push_back("--admindir=" + admindir.string());
    }
    spec.argv.insert(spec.argv.end(), {"-W", "--showformat=${Version}\\t${db:Status-Status}\\n",
                                       std::string(package)});
    spec.env = fixed_environment();
    spec.timeout = timeout;
    auto result = run_command(spec);
    if (!result) return std::unexpected(result.error());
    if (!result->exited) {
        return fail("dpkg-query for " + std::string(package) + " was killed by signal " +
                    std::to_string(result->signal));
    }
    return parse_dpkg_query_output(package, result->exit_code, result->out, result->err);
}

}  // namespace lintel::helper

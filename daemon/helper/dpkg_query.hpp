// What dpkg's database says about one package, read with dpkg-query (never by parsing it here).
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "lintel/error.hpp"

namespace lintel::helper {

struct PackageState {
    // dpkg's status word (dpkg-query's ${db:Status-Status}): "installed", "not-installed",
    // "config-files", "half-installed", "unpacked", "half-configured", "triggers-awaited",
    // "triggers-pending". Passed through so an interrupted upgrade is visible as such.
    std::string status;
    std::optional<std::string> version;  // nullopt when dpkg records none
};

// Runs /usr/bin/dpkg-query [--admindir=DIR] -W --showformat='${Version}\t${db:Status-Status}\n'
// PACKAGE (fixed argv, no shell, LC_ALL=C).
// A package dpkg has never heard of is {"not-installed", nullopt}. Errors (helper.internal) when
// DIR has no readable status file (dpkg-query would report every package as unknown), or
// dpkg-query fails, hangs or prints something unexpected.
Expected<PackageState> query_package(const std::filesystem::path& admindir,
                                     std::string_view package,
                                     std::chrono::milliseconds timeout = std::chrono::seconds(10));

// The parsing half of query_package, for tests: dpkg-query's exit code and stdout.
Expected<PackageState> parse_dpkg_query_output(std::string_view package, int exit_code,
                                               std::string_view out, std::string_view err);

}  // namespace lintel::helper

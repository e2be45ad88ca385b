// Parsing what dpkg's tools print for the deb handler: the control fields of a .deb
// (dpkg-deb --field) and a package's state (dpkg-query -W). No I/O: the fuzzer builds it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "lintel/error.hpp"

namespace lintel::ota::deb {

struct DebFields {
    std::string package;
    std::string version;
};

// `dpkg-deb --field FILE Package Version` prints "Package: NAME\nVersion: VERSION\n" (in that
// order, one line each). Errors (ota.artifact_mismatch) for anything else: missing fields,
// continuation lines, values with spaces or control characters.
Expected<DebFields> parse_deb_fields(std::string_view text);

struct PackageState {
    std::string status;  // dpkg's ${db:Status-Status}: installed, not-installed, ...
    std::optional<std::string> version;  // when dpkg records one and the package is installed
};

// `dpkg-query -W --showformat='${db:Status-Status} ${Version}\n' PACKAGE`: exit 1 with nothing
// on stdout is a package dpkg never heard of (not-installed). Errors: ota.query_failed.
Expected<PackageState> parse_package_state(std::string_view package, int exit_code,
                                           std::string_view out);

}  // namespace lintel::ota::deb

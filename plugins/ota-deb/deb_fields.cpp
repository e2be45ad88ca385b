// parse_deb_fields and parse_package_state.
#include "deb_fields.hpp"

#include <algorithm>

#include "lintel/update_handler.hpp"

namespace lintel::ota::deb {
namespace {

constexpr std::size_t k_max_value = 256;

bool plain_value(std::string_view value) {
    return !value.empty() && value.size() <= k_max_value &&
           std::all_of(value.begin(), value.end(), [](char c) {
               const auto u = static_cast<unsigned char>(c);
               return u > 0x20 && u < 0x7f;
           });
}

// One "Name: value" line at the front of `text`; moves `text` past it.
std::optional<std::string> take_field(std::string_view& text, std::string_view name) {
    const auto newline = text.find('\n');
    if (newline == std::string_view::npos) return std::nullopt;
    std::string_view line = text.substr(0, newline);
    text.remove_prefix(newline + 1);
    const std::string prefix = std::string(name) + ": ";
    if (!line.starts_with(prefix)) return std::nullopt;
    line.remove_prefix(prefix.size());
    if (!plain_value(line)) return std::nullopt;
    return std::string(line);
}

}  // namespace

Expected<DebFields> parse_deb_fields(std::string_view text) {
    DebFields out;
    auto package = take_field(text, "Package");
    auto version = take_field(text, "Version");
    if (!package || !version || !text.empty()) {
        return make_error(std::string(sdk::update_codes::artifact_mismatch),
                          "the artifact's control file does not have exactly one plain Package "
                          "and one plain Version field");
    }
    out.package = std::move(*package);
    out.version = std::move(*version);
    return out;
}

Expected<PackageState> parse_package_state(std::string_view package, int exit_code,
                                           std::string_view out) {
    if (exit_code == 1 && out.empty()) return PackageState{"not-installed", std::nullopt};
    if (exit_code != 0 || !out.ends_with('\n') || out.find('\n') != out.size() - 1) {
        return make_error(std::string(sdk::update_codes::query_failed),
                          "dpkg-query for " + std::string(package) + " exited " +
                              std::to_string(exit_code) + " or printed not exactly one line");
    }
    out.remove_suffix(1);
    const auto space = out.find(' ');
    const std::string_view status = out.substr(0, space);
    if (status.empty() || !std::all_of(status.begin(), status.end(),
                                       [](char c) { return (c >= 'a' && c <= 'z') || c == '-'; })) {
        return make_error(std::string(sdk::update_codes::query_failed),
                          "dpkg-query for " + std::string(package) + " printed no status word");
    }
    PackageState state{std::string(status), std::nullopt};
    if (space != std::string_view::npos && status == "installed") {
        const std::string_view version = out.substr(space + 1);
        if (!plain_value(version)) {
            return make_error(std::string(sdk::update_codes::query_failed),
                              "dpkg-query for " + std::string(package) + " printed no version");
        }
        state.version = std::string(version);
    }
    return state;
}

}  // namespace lintel::ota::deb

// Parses lintel-helper's command line into Options.
#include "helper/options.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <optional>
#include <string_view>

namespace lintel::helper {
namespace {

constexpr std::string_view k_usage_code = "helper.usage";
constexpr std::chrono::milliseconds k_max_read_timeout{60'000};

std::unexpected<Error> usage_error(std::string message) {
    return make_error(std::string(k_usage_code), std::move(message) + " (see --help)");
}

// "250ms" or "5s"; a bare number is refused because its unit would be a guess.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
    std::uint64_t factor = 0;
    if (text.ends_with("ms")) {
        factor = 1;
        text.remove_suffix(2);
    } else if (text.ends_with("s")) {
        factor = 1000;
        text.remove_suffix(1);
    } else {
        return std::nullopt;
    }
    std::uint64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
    const auto limit = static_cast<std::uint64_t>(k_max_read_timeout.count());
    if (value > limit || value * factor > limit)
        return std::nullopt;  // value <= limit: no overflow
    return std::chrono::milliseconds(static_cast<std::int64_t>(value * factor));
}

// The value of a directory option: present and absolute (the helper's cwd is no anchor).
Expected<std::filesystem::path> absolute_dir(std::string_view option,
                                             std::optional<std::string_view> value) {
    if (!value || value->empty()) return usage_error(std::string(option) + " needs a directory");
    if (!value->starts_with('/')) {
        return usage_error(std::string(option) + " must be an absolute path, got \"" +
                           std::string(*value) + "\"");
    }
    return std::filesystem::path(std::string(*value));
}

// "NAME.KEY=VALUE" of --handler-setting.
Expected<void> add_handler_setting(Options& options, std::optional<std::string_view> value) {
    const std::string_view text = value.value_or("");
    const auto dot = text.find('.');
    const auto eq = text.find('=');
    if (dot == std::string_view::npos || eq == std::string_view::npos || dot == 0 || eq < dot + 2) {
        return usage_error(
            "--handler-setting needs NAME.KEY=VALUE (e.g. deb.root=/tmp/root), got \"" +
            std::string(text) + "\"");
    }
    options.handler_settings[std::string(text.substr(0, dot))]
                            [std::string(text.substr(dot + 1, eq - dot - 1))] =
        std::string(text.substr(eq + 1));
    return {};
}

// "PROGRAM ARG..." of --reboot-command: split at spaces (no shell, no quoting), PROGRAM absolute.
Expected<std::vector<std::string>> command_words(std::string_view option,
                                                 std::optional<std::string_view> value) {
    std::vector<std::string> words;
    std::string_view text = value.value_or("");
    while (!text.empty()) {
        const auto start = text.find_first_not_of(' ');
        if (start == std::string_view::npos) break;
        text.remove_prefix(start);
        const auto end = text.find(' ');
        words.emplace_back(text.substr(0, end));
        text.remove_prefix(end == std::string_view::npos ? text.size() : end);
    }
    if (words.empty() || !words.front().starts_with('/')) {
        return usage_error(std::string(option) +
                           " needs a program with an absolute path and its arguments, e.g. "
                           "\"/bin/systemctl reboot\"");
    }
    return words;
}

// The component of --ota-recover: the rule of the ota-* params' "component".
Expected<std::string> recover_component(std::string_view option,
                                        std::optional<std::string_view> value) {
    const std::string_view text = value.value_or("");
    const bool ok =
        !text.empty() && text.size() <= 64 &&
        std::all_of(text.begin(), text.end(),
                    [](char c) {
                        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                               std::string_view("+._-").find(c) != std::string_view::npos;
                    }) &&
        std::string_view("+._-").find(text.front()) == std::string_view::npos;
    if (!ok) {
        return usage_error(std::string(option) +
                           " needs a component name such as lintel ([a-z0-9][a-z0-9+._-]{0,63})");
    }
    return std::string(text);
}

}  // namespace

#ifndef LINTEL_DEFAULT_PLUGIN_DIR
#error "LINTEL_DEFAULT_PLUGIN_DIR must be defined by the build (CMake's plugin install dir)"
#endif

std::filesystem::path default_plugin_dir() { return LINTEL_DEFAULT_PLUGIN_DIR; }

std::string usage_text() {
    return "usage: lintel-helper [--allow-user NAME] [--config-dir DIR]\n"
           "                     [--dpkg-admindir DIR] [--read-timeout DURATION]\n"
           "                     [--plugin-dir DIR] [--ota-staging-dir DIR]\n"
           "                     [--ota-state-dir DIR] [--handler-setting NAME.KEY=VALUE]...\n"
           "                     [--reboot-command \"PROGRAM ARG...\"]\n"
           "                     [--wpa-config-dir DIR] [--wpa-ctrl-dir DIR]\n"
           "                     [--wpa-group NAME]\n"
           "       lintel-helper --ota-recover COMPONENT | --ota-recover-check COMPONENT\n"
           "                     [the directory and --handler-setting options above]\n"
           "\n"
           "Serves one request of linteld on the connection passed by systemd\n"
           "(lintel-helper.socket, Accept=yes; fd 3 with LISTEN_FDS=1), then exits.\n"
           "By hand: systemd-socket-activate --accept -l /tmp/h.sock lintel-helper ...\n"
           "\n"
           "  --allow-user NAME        user allowed besides root (default: lintel)\n"
           "  --config-dir DIR         linteld's configuration, which write-config writes\n"
           "                           (default: /etc/lintel)\n"
           "  --dpkg-admindir DIR      dpkg database to query (default: dpkg's own)\n"
           "  --read-timeout DURATION  deadline for the request line, e.g. 250ms\n"
           "                           (default: 5s)\n"
           "  --plugin-dir DIR         update-handler plugins, ota-*.so (default:\n"
           "                           " +
           default_plugin_dir().string() +
           ")\n"
           "  --ota-staging-dir DIR    where linteld leaves OTA artifacts; the only place\n"
           "                           an artifact may be taken from\n"
           "                           (default: /var/lib/lintel/ota/staging)\n"
           "  --ota-state-dir DIR      handlers' private state (default:\n"
           "                           /var/lib/lintel-helper/ota)\n"
           "  --handler-setting NAME.KEY=VALUE  a local setting of handler NAME, repeatable\n"
           "                           (e.g. file.allowed_dirs=/var/lib/firmware)\n"
           "  --reboot-command \"PROGRAM ARG...\"  what ota-reboot runs, split at spaces\n"
           "                           (default: /bin/systemctl reboot)\n"
           "  --ota-recover COMPONENT  no socket: roll back a pending install of COMPONENT\n"
           "                           (deb handler) once, for lintel-ota-recover.service;\n"
           "                           exit 0 when rolled back or nothing was pending\n"
           "  --ota-recover-check COMPONENT  exit 0 when --ota-recover has work to do,\n"
           "                           1 when not (its ExecCondition=), 255 on an error\n"
           "  --wpa-config-dir DIR     the only directory wpa-config writes wpa_supplicant\n"
           "                           configurations into (default: /etc/wpa_supplicant)\n"
           "  --wpa-ctrl-dir DIR       their ctrl_interface DIR=\n"
           "                           (default: /run/wpa_supplicant)\n"
           "  --wpa-group NAME         their ctrl_interface GROUP=, linteld's group\n"
           "                           (default: lintel)\n"
           "  --version                print the helper version and exit\n"
           "  --help                   print this text and exit\n"
           "\n"
           "Protocol and security model: /usr/share/doc/lintel/helper.md\n";
}

Expected<Options> parse_options(std::span<const char* const> args) {
    Options options;
    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string_view arg = args[i] != nullptr ? args[i] : "";
        std::string_view name = arg;
        std::optional<std::string_view> inline_value;
        if (auto eq = arg.find('='); arg.starts_with("--") && eq != std::string_view::npos) {
            name = arg.substr(0, eq);
            inline_value = arg.substr(eq + 1);
        }
        auto value = [&]() -> std::optional<std::string_view> {
            if (inline_value) return inline_value;
            if (i + 1 >= args.size() || args[i + 1] == nullptr) return std::nullopt;
            return std::string_view(args[++i]);
        };
        if (name == "--help" || name == "-h") {
            options.show_help = true;
        } else if (name == "--version") {
            options.show_version = true;
        } else if (name == "--allow-user") {
            auto v = value();
            if (!v || v->empty()) return usage_error("--allow-user needs a user name");
            options.allow_user = std::string(*v);
        } else if (name == "--dpkg-admindir") {
            auto dir = absolute_dir(name, value());
            if (!dir) return std::unexpected(dir.error());
            options.dpkg_admindir = std::move(*dir);
        } else if (name == "--config-dir") {
            auto dir = absolute_dir(name, value());
            if (!dir) return std::unexpected(dir.error());
            options.config_dir = std::move(*dir);
        } else if (name == "--plugin-dir" || name == "--ota-staging-dir" ||
                   name == "--ota-state-dir" || name == "--wpa-config-dir" ||
                   name == "--wpa-ctrl-dir") {
            auto dir = absolute_dir(name, value());
            if (!dir) return std::unexpected(dir.error());
            auto& target = name == "--plugin-dir"        ? options.plugin_dir
                           : name == "--ota-staging-dir" ? options.ota_staging_dir
                           : name == "--wpa-config-dir"  ? options.wpa_config_dir
                           : name == "--wpa-ctrl-dir"    ? options.wpa_ctrl_dir
                                                         : options.ota_state_dir;
            target = std::move(*dir);
        } else if (name == "--wpa-group") {
            auto v = value();
            if (!v || v->empty() || v->find_first_of(" \t\"#") != std::string_view::npos) {
                return usage_error("--wpa-group needs a group name");
            }
            options.wpa_group = std::string(*v);
        } else if (name == "--handler-setting") {
            if (auto added = add_handler_setting(options, value()); !added) {
                return std::unexpected(added.error());
            }
        } else if (name == "--reboot-command") {
            auto words = command_words(name, value());
            if (!words) return std::unexpected(words.error());
            options.reboot_command = std::move(*words);
        } else if (name == "--ota-recover" || name == "--ota-recover-check") {
            auto component = recover_component(name, value());
            if (!component) return std::unexpected(component.error());
            if (options.ota_recover) {
                return usage_error("give one of --ota-recover and --ota-recover-check, once");
            }
            options.ota_recover = std::move(*component);
            options.ota_recover_check = name == "--ota-recover-check";
        } else if (name == "--read-timeout") {
            auto v = value();
            if (!v) return usage_error("--read-timeout needs a duration such as 250ms or 5s");
            auto d = parse_duration(*v);
            if (!d || d->count() == 0) {
                return usage_error("--read-timeout: \"" + std::string(*v) +
                                   "\" is not a duration between 1ms and 60s (write 250ms or 5s)");
            }
            options.read_timeout = *d;
        } else {
            return usage_error("unknown option \"" + std::string(arg) + "\"");
        }
    }
    return options;
}

}  // namespace lintel::helper

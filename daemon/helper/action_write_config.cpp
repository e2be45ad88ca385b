// The "write-config" action: strict params, two fixed kinds of path, the crash-safe write or
// removal, and one log line naming what changed and for whom.
#include "helper/action_write_config.hpp"

#include <sys/stat.h>

#include <optional>
#include <string>
#include <string_view>

#include "common/sha256.hpp"
#include "common/utf8.hpp"
#include "helper/atomic_file.hpp"
#include "helper/helper_log.hpp"

namespace lintel::helper {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using nlohmann::ordered_json;

constexpr std::string_view k_name = "write-config";
constexpr std::string_view k_main_file = "lintel.yaml";
constexpr std::string_view k_devices_dir = "devices.d";
constexpr std::size_t k_max_fragment_name = 64;
// What the package installs: the files carry no secrets (credentials live in pki/, which this
// action cannot name), and linteld reads them as user lintel.
constexpr mode_t k_file_mode = 0644;
constexpr mode_t k_dir_mode = 0755;

// A file the action may touch: the main file, or a fragment in devices.d.
struct Target {
    bool fragment = false;
    std::string name;  // within its directory
};

struct Params {
    Target target;
    std::optional<std::string_view> content;  // into the request's params; nullopt: remove
};

std::unexpected<Error> bad_params(std::string message) {
    return make_error(std::string(codes::bad_params),
                      std::string(k_name) + ": " + std::move(message));
}

bool is_ascii_alnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// [A-Za-z0-9][A-Za-z0-9_.-]{0,63}, ending in .yaml, without "..": a name linteld's loader reads
// (it skips dot files and other suffixes) and one that cannot lead out of devices.d.
bool is_fragment_name(std::string_view name) {
    if (name.empty() || name.size() > k_max_fragment_name || !is_ascii_alnum(name.front())) {
        return false;
    }
    for (char c : name) {
        if (!is_ascii_alnum(c) && c != '_' && c != '.' && c != '-') return false;
    }
    return name.ends_with(".yaml") && name.find("..") == std::string_view::npos;
}

Expected<Target> parse_file(const json& file) {
    if (!file.is_string()) {
        return bad_params("\"file\" must be a string, got " + std::string(type_name(file)));
    }
    const auto& text = file.get_ref<const std::string&>();
    if (text == k_main_file) return Target{false, text};
    const std::string prefix = std::string(k_devices_dir) + "/";
    if (text.starts_with(prefix) &&
        is_fragment_name(std::string_view(text).substr(prefix.size()))) {
        return Target{true, text.substr(prefix.size())};
    }
    return bad_params(
        "\"file\" must be \"lintel.yaml\" or \"devices.d/<name>.yaml\" (<name>: letters, "
        "digits, '_', '.', '-', starting with a letter or digit, at most 64 characters with "
        ".yaml, no \"..\"), got " +
        log_quoted(text));
}

Expected<std::string_view> parse_content(const json& content) {
    if (!content.is_string()) {
        return bad_params("\"content\" must be a string (the whole file), got " +
                          std::string(type_name(content)));
    }
    const std::string_view text = content.get_ref<const std::string&>();
    if (text.size() > k_max_config_bytes) {
        return bad_params("\"content\" is " + std::to_string(text.size()) + " bytes; at most " +
                          std::to_string(k_max_config_bytes) + " (256 KiB) are accepted");
    }
    // JSON's \u0000 gets a NUL past the parser; YAML files never contain one.
    if (auto nul = text.find('\0'); nul != std::string_view::npos) {
        return bad_params("\"content\" has a NUL byte at offset " + std::to_string(nul) +
                          " (a configuration file is text)");
    }
    if (auto bad = common::first_invalid_utf8(text)) {
        return bad_params("\"content\" is not valid UTF-8 (at byte offset " + std::to_string(*bad) +
                          ")");
    }
    return text;
}

Expected<Params> parse_params(const json& params) {
    if (!params.is_object()) return bad_params("params must be an object");
    for (const auto& [key, value] : params.items()) {
        if (key != "file" && key != "content" && key != "remove") {
            return bad_params("unknown param " + log_quoted(key) +
                              " (allowed: file, content, remove)");
        }
    }
    const auto file = params.find("file");
    if (file == params.end()) return bad_params("\"file\" is required");
    auto target = parse_file(*file);
    if (!target) return std::unexpected(target.error());

    const auto content = params.find("content");
    const auto remove = params.find("remove");
    if ((content == params.end()) == (remove == params.end())) {
        return bad_params(
            "give exactly one of \"content\" (the whole new file) and \"remove\": true");
    }
    Params out{std::move(*target), std::nullopt};
    if (remove != params.end()) {
        if (!remove->is_boolean() || !remove->get<bool>()) {
            return bad_params("\"remove\" must be true (to write the file, give \"content\")");
        }
        if (!out.target.fragment) {
            return bad_params(
                "lintel.yaml cannot be removed (linteld does not start without it); only "
                "devices.d files can");
        }
        return out;
    }
    auto text = parse_content(*content);
    if (!text) return std::unexpected(text.error());
    out.content = *text;
    return out;
}

fs::path path_of(const Target& target, const ActionContext& context) {
    const fs::path dir =
        target.fragment ? context.config_dir / std::string(k_devices_dir) : context.config_dir;
    return (dir / target.name).lexically_normal();
}

// The directory `target` lives in. devices.d is created for a write; for a removal a missing
// devices.d is nullopt (no fragment to remove).
Expected<std::optional<OpenDirectory>> directory_of(const Target& target,
                                                    const fs::path& config_dir, bool create) {
    auto dir = OpenDirectory::open(config_dir);
    if (!dir) return std::unexpected(dir.error());
    if (!target.fragment) return std::optional<OpenDirectory>(std::move(*dir));
    return dir->open_child(k_devices_dir,
                           create ? std::optional<mode_t>(k_dir_mode) : std::nullopt);
}

ActionResult write(const OpenDirectory& dir, const Target& target, std::string_view content,
                   const ActionContext& context) {
    auto sha256 = common::sha256_hex(content);
    if (!sha256) return make_error(std::string(codes::internal), sha256.error().message);
    auto replaced = replace_file(dir, target.name, content, k_file_mode);
    if (!replaced) return std::unexpected(replaced.error());
    const fs::path path = path_of(target, context);
    log_line(LogLevel::info, std::string(k_name) + ": " + (*replaced ? "replaced " : "created ") +
                                 path.string() + " (" + std::to_string(content.size()) +
                                 " bytes, sha256 " + *sha256 + ") for " + asked_by(context));
    ordered_json result;
    result["file"] = path.string();
    result["bytes"] = content.size();
    result["sha256"] = *sha256;
    return result;
}

ActionResult remove(const std::optional<OpenDirectory>& dir, const Target& target,
                    const ActionContext& context) {
    bool removed = false;
    if (dir) {
        auto r = remove_file(*dir, target.name);
        if (!r) return std::unexpected(r.error());
        removed = *r;
    }
    const fs::path path = path_of(target, context);
    log_line(LogLevel::info,
             std::string(k_name) + ": " +
                 (removed ? "removed " + path.string()
                          : path.string() + " was already absent, nothing removed") +
                 " for " + asked_by(context));
    ordered_json result;
    result["file"] = path.string();
    result["removed"] = removed;
    return result;
}

ActionResult run_write_config(const json& params, const ActionContext& context) {
    auto request = parse_params(params);
    if (!request) return std::unexpected(request.error());
    if (context.config_dir.empty()) {
        return make_error(std::string(codes::internal),
                          std::string(k_name) + ": no configuration directory is set");
    }
    auto dir = directory_of(request->target, context.config_dir, request->content.has_value());
    if (!dir) return std::unexpected(dir.error());
    if (!request->content) return remove(*dir, request->target, context);
    return write(**dir, request->target, *request->content, context);  // created: never nullopt
}

}  // namespace

Action write_config_action() {
    return Action{std::string(k_name),
                  "replace or remove lintel.yaml or a devices.d/*.yaml file, atomically",
                  run_write_config};
}

}  // namespace lintel::helper

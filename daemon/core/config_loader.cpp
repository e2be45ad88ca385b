// Loads lintel.yaml and devices.d/*.yaml, then checks the credential files they name.
#include "core/config_loader.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/yaml_loader.hpp"
#include "lintel/config_reader.hpp"

namespace lintel::core {
namespace {

namespace fs = std::filesystem;

std::string octal_mode(mode_t mode) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
    return buf;
}

void check_readable_file(const fs::path& path, const sdk::ConfigNode& at, std::string_view what,
                         sdk::ConfigErrors& errors) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        errors.add(at, std::string(what) + " " + path.string() + ": " + std::strerror(errno));
        return;
    }
    if (!S_ISREG(st.st_mode)) {
        errors.add(at, std::string(what) + " " + path.string() + " is not a regular file");
        return;
    }
    if (::access(path.c_str(), R_OK) != 0) {
        errors.add(at, std::string(what) + " " + path.string() +
                           " is not readable by this user (uid " + std::to_string(::geteuid()) +
                           "): " + std::strerror(errno));
    }
}

const sdk::ConfigNode& node_at(const sdk::ConfigNode& root,
                               std::initializer_list<std::string_view> keys) {
    const sdk::ConfigNode* n = &root;
    for (auto k : keys) {
        const sdk::ConfigNode* next = n->find(k);
        if (next == nullptr) return *n;
        n = next;
    }
    return *n;
}

void check_credentials(const Config& c, const sdk::ConfigNode& root, sdk::ConfigErrors& errors) {
    const auto& tls = c.uplink.tls;
    check_readable_file(tls.ca_file, node_at(root, {"uplink", "tls", "ca_file"}), "CA file",
                        errors);
    check_readable_file(tls.cert_file, node_at(root, {"uplink", "tls", "cert_file"}),
                        "certificate file", errors);
    const auto& key_node = node_at(root, {"uplink", "tls", "key_file"});
    check_readable_file(tls.key_file, key_node, "private key file", errors);
    check_private_key_file(tls.key_file, key_node, errors);
    if (tls.crl_file) {
        check_readable_file(*tls.crl_file, node_at(root, {"uplink", "tls", "crl_file"}), "CRL file",
                            errors);
    }
}

void load_fragments(const fs::path& dir, std::vector<DeviceEntry>& devices,
                    sdk::ConfigErrors& errors, const sdk::ConfigNode& root) {
    std::error_code ec;
    if (!fs::exists(dir, ec)) return;  // no fragments is fine: devices may be inline or none yet
    if (!fs::is_directory(dir, ec)) {
        errors.add(node_at(root, {"devices_dir"}), dir.string() + " is not a directory");
        return;
    }
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        const auto& p = entry.path();
        // Only *.yaml: editors' backups (*.yaml~, .#x.yaml) and *.disabled are ignored on purpose.
        if (p.extension() == ".yaml" && p.filename().string().front() != '.') files.push_back(p);
    }
    if (ec) {
        errors.add(node_at(root, {"devices_dir"}),
                   "cannot list " + dir.string() + ": " + ec.message());
        return;
    }
    std::sort(files.begin(), files.end());  // deterministic order, so duplicate errors are stable
    for (const auto& file : files) {
        auto doc = load_yaml_file(file, errors);
        if (!doc || doc->is_null()) continue;
        sdk::MapReader r(*doc, errors);
        if (!r.ok()) continue;
        r.child("devices", true);
        r.finish();
        parse_devices(*doc, devices, errors);
    }
}

}  // namespace

void check_private_key_file(const fs::path& path, const sdk::ConfigNode& at,
                            sdk::ConfigErrors& errors) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return;  // reported by the readability check
    if ((st.st_mode & 0077) != 0) {
        errors.add(at, "private key file " + path.string() + " has mode " + octal_mode(st.st_mode) +
                           "; it must be 0600 or stricter (chmod 600 " + path.string() + ")");
    }
}

Config read_config(const fs::path& main_file, const LoadOptions& options,
                   sdk::ConfigErrors& errors) {
    auto root = load_yaml_file(main_file, errors);
    if (!root) {
        Config empty;
        empty.source = main_file;
        return empty;
    }
    const std::size_t before = errors.size();
    Config config = read_main_config(*root, options, errors);
    config.source = main_file;
    const bool main_ok = errors.size() == before;
    load_fragments(config.devices_dir, config.devices, errors, *root);
    // Credential checks need the paths the main file names; skip them if it was not readable.
    if (options.check_files && main_ok) check_credentials(config, *root, errors);
    return config;
}

std::optional<Config> load_config(const fs::path& main_file, const LoadOptions& options,
                                  sdk::ConfigErrors& errors) {
    const std::size_t before = errors.size();
    Config config = read_config(main_file, options, errors);
    if (errors.size() != before) return std::nullopt;
    return config;
}

}  // namespace lintel::core

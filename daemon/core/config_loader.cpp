// Loads lintel.yaml and devices.d/*.yaml, then checks the credential files they name.
#include "core/config_loader.hpp"

#include <algorithm>

#include "core/credentials.hpp"
#include "core/device_templates.hpp"
#include "core/yaml_loader.hpp"
#include "lintel/config_reader.hpp"

namespace lintel::core {
namespace {

namespace fs = std::filesystem;

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

// A missing file is "not provisioned yet" and recorded in the config; a file that exists but
// cannot be used is an error at the key that names it.
void check_credentials(Config& c, const sdk::ConfigNode& root, sdk::ConfigErrors& errors) {
    auto report = check_credential_files(c.uplink.tls);
    for (const auto& p : report.problems) {
        // The key path ("uplink.tls.key_file", "uplink.tls.pkcs11.pin_file"), level by level.
        const sdk::ConfigNode* n = &root;
        std::string_view rest = p.file.key;
        while (!rest.empty()) {
            const std::string_view level = rest.substr(0, rest.find('.'));
            rest = level.size() < rest.size() ? rest.substr(level.size() + 1) : std::string_view{};
            const sdk::ConfigNode* next = n->find(level);
            if (next == nullptr) break;
            n = next;
        }
        errors.add(*n, p.message);
    }
    c.missing_credentials = std::move(report.missing);
}

// Only *.yaml: editors' backups (*.yaml~, .#x.yaml) and *.disabled are ignored on purpose.
bool is_fragment(const fs::path& p) {
    return p.extension() == ".yaml" && !p.filename().empty() &&
           p.filename().string().front() != '.';
}

// The file's text from the overlay when it holds it, else from the disk.
std::optional<sdk::ConfigNode> load_document(const fs::path& file, const LoadOptions& options,
                                             sdk::ConfigErrors& errors) {
    if (options.overlay != nullptr) {
        if (auto it = options.overlay->find(file); it != options.overlay->end() && it->second)
            return load_yaml_string(*it->second, file.string(), errors);
    }
    return load_yaml_file(file, errors);
}

void load_fragments(const fs::path& dir, const LoadOptions& options,
                    std::vector<DeviceEntry>& devices, sdk::ConfigErrors& errors,
                    const sdk::ConfigNode& root) {
    std::vector<fs::path> files;
    std::error_code ec;
    if (fs::exists(dir, ec)) {  // no fragments is fine: devices may be inline or none yet
        if (!fs::is_directory(dir, ec)) {
            errors.add(node_at(root, {"devices_dir"}), dir.string() + " is not a directory");
            return;
        }
        for (const auto& entry : fs::directory_iterator(dir, ec)) {
            if (is_fragment(entry.path())) files.push_back(entry.path());
        }
        if (ec) {
            errors.add(node_at(root, {"devices_dir"}),
                       "cannot list " + dir.string() + ": " + ec.message());
            return;
        }
    }
    if (options.overlay != nullptr) {
        for (const auto& [path, text] : *options.overlay) {
            if (path.parent_path() != dir || !is_fragment(path)) continue;
            std::erase(files, path);
            if (text) files.push_back(path);
        }
    }
    std::sort(files.begin(), files.end());  // deterministic order, so duplicate errors are stable
    // Two passes: a template may be defined in any file, before or after the devices using it.
    std::vector<sdk::ConfigNode> docs;
    TemplateSet templates;
    for (const auto& file : files) {
        auto doc = load_document(file, options, errors);
        if (!doc || doc->is_null()) continue;
        sdk::MapReader r(*doc, errors);
        if (!r.ok()) continue;
        // A file of templates only is fine; a file with neither list is a mistake.
        r.child("devices", !r.has("templates"));
        r.child("templates");
        r.finish();
        collect_templates(*doc, templates, errors);
        docs.push_back(std::move(*doc));
    }
    for (auto& doc : docs) {
        expand_templates(doc, templates, errors);
        parse_devices(doc, devices, errors);
    }
}

}  // namespace

Config read_config(const fs::path& main_file, const LoadOptions& options,
                   sdk::ConfigErrors& errors) {
    auto root = load_document(main_file, options, errors);
    if (!root) {
        Config empty;
        empty.source = main_file;
        return empty;
    }
    const std::size_t before = errors.size();
    Config config = read_main_config(*root, options, errors);
    config.source = main_file;
    const bool main_ok = errors.size() == before;
    load_fragments(config.devices_dir, options, config.devices, errors, *root);
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

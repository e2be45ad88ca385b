// yaml-cpp adapter: converts YAML::Node into ConfigNode, keeping marks and building key paths.
#include "core/yaml_loader.hpp"

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace lintel::core {
namespace {

constexpr int kMaxDepth = 64;  // deeper nesting is never a real config; stops stack exhaustion
// YAML aliases are expanded into copies: without a budget, a few lines of nested aliases
// ("billion laughs") would take gigabytes. No real config comes near this.
constexpr std::size_t kMaxNodes = 100'000;

struct Budget {
    std::size_t nodes = 0;
    bool exhausted = false;
    std::vector<YAML::Node> ancestors;  // to refuse an alias that contains itself
};

sdk::Mark to_mark(const YAML::Mark& m, const std::string& file) {
    // yaml-cpp marks are 0-based; -1 when unknown.
    return sdk::Mark{file, m.line >= 0 ? m.line + 1 : 0, m.column >= 0 ? m.column + 1 : 0};
}

std::string child_path(const std::string& parent, const std::string& key) {
    return parent.empty() ? key : parent + "." + key;
}

bool convert(const YAML::Node& in, const std::string& file, std::string path, int depth,
             sdk::ConfigNode& out, sdk::ConfigErrors& errors, Budget& budget) {
    out.mark = to_mark(in.Mark(), file);
    out.path = std::move(path);
    if (budget.exhausted) return false;
    if (++budget.nodes > kMaxNodes) {
        budget.exhausted = true;
        errors.add(out, "more than " + std::to_string(kMaxNodes) +
                            " values (after expanding aliases); refusing the document");
        return false;
    }
    if (depth > kMaxDepth) {
        errors.add(out, "nesting is deeper than " + std::to_string(kMaxDepth) + " levels");
        return false;
    }
    if (in.IsSequence() || in.IsMap()) {
        for (const auto& a : budget.ancestors) {
            if (a.is(in)) {
                errors.add(out, "an alias refers to a node that contains it (recursive alias)");
                budget.exhausted = true;
                return false;
            }
        }
    }
    struct AncestorGuard {
        Budget& b;
        AncestorGuard(Budget& budget_, const YAML::Node& n) : b(budget_) {
            b.ancestors.push_back(n);
        }
        ~AncestorGuard() { b.ancestors.pop_back(); }
        AncestorGuard(const AncestorGuard&) = delete;
        AncestorGuard& operator=(const AncestorGuard&) = delete;
    } guard(budget, in);
    switch (in.Type()) {
        case YAML::NodeType::Undefined:
        case YAML::NodeType::Null:
            out.kind = sdk::ConfigNode::Kind::null;
            return true;
        case YAML::NodeType::Scalar:
            out.kind = sdk::ConfigNode::Kind::scalar;
            out.scalar = in.Scalar();
            return true;
        case YAML::NodeType::Sequence: {
            out.kind = sdk::ConfigNode::Kind::sequence;
            bool ok = true;
            std::size_t index = 0;
            for (const auto& item : in) {
                sdk::ConfigNode child;
                ok &= convert(item, file, out.path + "[" + std::to_string(index++) + "]", depth + 1,
                              child, errors, budget);
                out.items.push_back(std::move(child));
            }
            return ok;
        }
        case YAML::NodeType::Map: {
            out.kind = sdk::ConfigNode::Kind::map;
            bool ok = true;
            for (const auto& kv : in) {
                if (!kv.first.IsScalar()) {
                    errors.add(to_mark(kv.first.Mark(), file), out.path,
                               "keys must be plain strings");
                    ok = false;
                    continue;
                }
                const std::string key = kv.first.Scalar();
                if (out.find(key) != nullptr) {
                    // yaml-cpp keeps both; a silently ignored duplicate is a classic config trap.
                    errors.add(to_mark(kv.first.Mark(), file), child_path(out.path, key),
                               "duplicate key \"" + key + "\"");
                    ok = false;
                    continue;
                }
                sdk::ConfigNode child;
                ok &= convert(kv.second, file, child_path(out.path, key), depth + 1, child, errors,
                              budget);
                // A missing value ("key:") has no mark of its own; point at the key instead.
                if (child.is_null()) child.mark = to_mark(kv.first.Mark(), file);
                out.entries.push_back(
                    sdk::ConfigEntry{key, std::move(child), to_mark(kv.first.Mark(), file)});
            }
            return ok;
        }
    }
    return false;
}

// yaml-cpp 0.7 can loop on malformed UTF-8 (found by fuzz_config); a config file must be UTF-8
// text anyway, so check that first and point at the offending byte.
bool check_text(std::string_view text, const std::string& file, sdk::ConfigErrors& errors) {
    constexpr std::size_t kMaxBytes = 4 * 1024 * 1024;
    if (text.size() > kMaxBytes) {
        errors.add(sdk::Mark{file, 0, 0}, "",
                   "file is larger than 4 MiB; split devices into devices.d files");
        return false;
    }
    int line = 1, column = 1;
    for (std::size_t i = 0; i < text.size();) {
        const auto c = static_cast<unsigned char>(text[i]);
        std::size_t len = 0;
        if (c < 0x80)
            len = 1;
        else if (c >= 0xC2 && c <= 0xDF)
            len = 2;
        else if (c >= 0xE0 && c <= 0xEF)
            len = 3;
        else if (c >= 0xF0 && c <= 0xF4)
            len = 4;
        bool ok = len != 0 && i + len <= text.size();
        for (std::size_t k = 1; ok && k < len; ++k)
            ok = (static_cast<unsigned char>(text[i + k]) & 0xC0) == 0x80;
        if (ok && len == 3) {
            const auto c1 = static_cast<unsigned char>(text[i + 1]);
            ok = !(c == 0xE0 && c1 < 0xA0) && !(c == 0xED && c1 >= 0xA0);  // overlong, surrogates
        }
        if (ok && len == 4) {
            const auto c1 = static_cast<unsigned char>(text[i + 1]);
            ok = !(c == 0xF0 && c1 < 0x90) && !(c == 0xF4 && c1 >= 0x90);  // overlong, > U+10FFFF
        }
        if (ok && len == 1 && c < 0x20 && c != '\n' && c != '\r' && c != '\t') ok = false;
        if (!ok) {
            errors.add(sdk::Mark{file, line, column}, "",
                       "not UTF-8 text (byte 0x" + std::string(1, "0123456789abcdef"[c >> 4]) +
                           std::string(1, "0123456789abcdef"[c & 15]) + ")");
            return false;
        }
        if (c == '\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
        i += len;
    }
    return true;
}

// YAML::Load reads the first document and silently ignores any after "---"; settings must never
// vanish silently, so a second document is an error.
bool check_single_document(std::string_view text, const std::string& file,
                           sdk::ConfigErrors& errors) {
    bool seen_content = false;
    int line_no = 0;
    std::size_t pos = 0;
    while (pos <= text.size()) {
        const std::size_t end = std::min(text.find('\n', pos), text.size());
        const std::string_view line = text.substr(pos, end - pos);
        ++line_no;
        const bool marker =
            line.starts_with("---") && (line.size() == 3 || line[3] == ' ' || line[3] == '\r');
        const bool end_marker =
            line.starts_with("...") && (line.size() == 3 || line[3] == ' ' || line[3] == '\r');
        if ((marker || end_marker) && seen_content) {
            errors.add(sdk::Mark{file, line_no, 1}, "",
                       "a second YAML document starts here; a config file holds exactly one");
            return false;
        }
        const auto first = line.find_first_not_of(" \t\r");
        if (!marker && first != std::string_view::npos && line[first] != '#' &&
            line[first] != '%') {
            seen_content = true;
        }
        if (end == text.size()) break;
        pos = end + 1;
    }
    return true;
}

}  // namespace

std::optional<sdk::ConfigNode> load_yaml_string(std::string_view text,
                                                const std::string& file_label,
                                                sdk::ConfigErrors& errors) {
    if (!check_text(text, file_label, errors) || !check_single_document(text, file_label, errors)) {
        return std::nullopt;
    }
    try {
        // YAML::Load, not LoadAll: LoadAll in yaml-cpp 0.7 loops forever on some malformed input
        // (found by fuzz_config). check_single_document() refuses what Load would skip.
        const YAML::Node doc = YAML::Load(std::string(text));
        sdk::ConfigNode root;
        Budget budget;
        if (!doc.IsDefined() || doc.IsNull()) {
            root.mark = sdk::Mark{file_label, 1, 1};
            return root;  // an empty file is an empty (null) document
        }
        if (!convert(doc, file_label, "", 0, root, errors, budget)) return std::nullopt;
        return root;
    } catch (const YAML::Exception& e) {
        errors.add(to_mark(e.mark, file_label), "", "invalid YAML: " + e.msg);
    } catch (const std::exception& e) {
        errors.add(sdk::Mark{file_label, 0, 0}, "", std::string("cannot parse YAML: ") + e.what());
    }
    return std::nullopt;
}

std::optional<sdk::ConfigNode> load_yaml_file(const std::filesystem::path& path,
                                              sdk::ConfigErrors& errors) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        errors.add(sdk::Mark{path.string(), 0, 0}, "",
                   "cannot read file: " + std::string(std::strerror(errno)));
        return std::nullopt;
    }
    std::ostringstream buf;
    buf << in.rdbuf();
    return load_yaml_string(buf.str(), path.string(), errors);
}

}  // namespace lintel::core

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
        AncestorGuard(Budget& budget_, const YAML::Node& n) : b(budget_) { b.ancestors.push_back(n); }
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
                    errors.add(to_mark(kv.first.Mark(), file), out.path, "keys must be plain strings");
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
                ok &= convert(kv.second, file, child_path(out.path, key), depth + 1, child, errors, budget);
                // A missing value ("key:") has no mark of its own; point at the key instead.
                if (child.is_null()) child.mark = to_mark(kv.first.Mark(), file);
                out.entries.emplace_back(key, std::move(child));
            }
            return ok;
        }
    }
    return false;
}

}  // namespace

std::optional<sdk::ConfigNode> load_yaml_string(std::string_view text, const std::string& file_label,
                                               sdk::ConfigErrors& errors) {
    try {
        const std::vector<YAML::Node> docs = YAML::LoadAll(std::string(text));
        if (docs.size() > 1) {
            errors.add(sdk::Mark{file_label, 1, 1}, "", "expected one YAML document, found " +
                                                           std::to_string(docs.size()));
            return std::nullopt;
        }
        sdk::ConfigNode root;
        Budget budget;
        if (docs.empty()) {
            root.mark = sdk::Mark{file_label, 1, 1};
            return root;  // an empty file is an empty (null) document
        }
        if (!convert(docs.front(), file_label, "", 0, root, errors, budget)) return std::nullopt;
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
        errors.add(sdk::Mark{path.string(), 0, 0}, "", "cannot read file: " + std::string(std::strerror(errno)));
        return std::nullopt;
    }
    std::ostringstream buf;
    buf << in.rdbuf();
    return load_yaml_string(buf.str(), path.string(), errors);
}

}  // namespace lintel::core

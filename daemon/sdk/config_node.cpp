// ConfigNode lookup and error formatting.
#include "lintel/config_node.hpp"

namespace lintel::sdk {

const ConfigNode* ConfigNode::find(std::string_view key) const {
    if (kind != Kind::map) return nullptr;
    for (const auto& e : entries) {
        if (e.key == key) return &e.value;
    }
    return nullptr;
}

std::string ConfigIssue::to_string() const {
    std::string out = mark.file.empty() ? std::string("<config>") : mark.file;
    out += ':' + std::to_string(mark.line) + ':' + std::to_string(mark.column) + ": ";
    out += path.empty() ? std::string("(root)") : path;
    out += ": " + reason;
    return out;
}

void ConfigErrors::add(const ConfigNode& at, std::string reason) {
    issues_.push_back(ConfigIssue{at.mark, at.path, std::move(reason)});
}

void ConfigErrors::add(Mark mark, std::string path, std::string reason) {
    issues_.push_back(ConfigIssue{std::move(mark), std::move(path), std::move(reason)});
}

void ConfigErrors::append(const ConfigErrors& other) {
    issues_.insert(issues_.end(), other.issues_.begin(), other.issues_.end());
}

std::string ConfigErrors::to_string() const {
    std::string out;
    for (const auto& i : issues_) out += i.to_string() + '\n';
    return out;
}

}  // namespace lintel::sdk

// Topic filter syntax and matching (see topic.hpp).
#include "topic.hpp"

#include <vector>

namespace lintel::mqttdev {
namespace {

std::vector<std::string_view> levels(std::string_view s) {
    std::vector<std::string_view> out;
    std::size_t start = 0;
    for (;;) {
        const std::size_t slash = s.find('/', start);
        if (slash == std::string_view::npos) {
            out.push_back(s.substr(start));
            return out;
        }
        out.push_back(s.substr(start, slash - start));
        start = slash + 1;
    }
}

}  // namespace

std::optional<std::string> check_filter(std::string_view filter) {
    if (filter.empty()) return "a topic must not be empty";
    if (filter.find('\0') != std::string_view::npos) return "a topic must not contain NUL";
    const auto parts = levels(filter);
    for (std::size_t i = 0; i < parts.size(); ++i) {
        const std::string_view level = parts[i];
        if (level.find_first_of("+#") == std::string_view::npos) continue;
        if (level.size() != 1) return "'+' and '#' must stand alone in a topic level";
        if (level == "#" && i + 1 != parts.size()) return "'#' must be the last topic level";
    }
    return std::nullopt;
}

std::optional<std::string> check_topic(std::string_view topic) {
    if (topic.empty()) return "a topic must not be empty";
    if (topic.find_first_of("+#") != std::string_view::npos)
        return "a topic to publish to must not contain '+' or '#'";
    if (topic.find('\0') != std::string_view::npos) return "a topic must not contain NUL";
    return std::nullopt;
}

bool topic_matches(std::string_view filter, std::string_view topic) {
    if (!topic.empty() && topic.front() == '$' && !filter.empty() &&
        (filter.front() == '+' || filter.front() == '#')) {
        return false;
    }
    const auto f = levels(filter);
    const auto t = levels(topic);
    for (std::size_t i = 0; i < f.size(); ++i) {
        if (f[i] == "#") return true;  // also matches the parent level ("a/#" matches "a")
        if (i >= t.size()) return false;
        if (f[i] != "+" && f[i] != t[i]) return false;
    }
    return f.size() == t.size();
}

}  // namespace lintel::mqttdev

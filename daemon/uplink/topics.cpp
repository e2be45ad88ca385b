// Topic building and validation.
#include "uplink/topics.hpp"

namespace lintel::uplink {
namespace {
constexpr std::size_t kMaxLevelBytes = 256;
}

Expected<void> validate_topic_level(std::string_view level, std::string_view what) {
    const std::string w(what);
    if (level.empty()) return make_error("uplink.topic", w + " must not be empty");
    if (level.size() > kMaxLevelBytes)
        return make_error("uplink.topic", w + " is longer than 256 bytes");
    if (level.front() == '$')
        return make_error("uplink.topic",
                          w + " \"" + std::string(level) +
                              "\" must not start with '$' (reserved for the broker)");
    for (char c : level) {
        if (c == '/' || c == '+' || c == '#' || c == '\0') {
            return make_error(
                "uplink.topic",
                w + " \"" + std::string(level) +
                    "\" must not contain '/', '+', '#' or NUL (it is one topic level)");
        }
    }
    return {};
}

Expected<void> validate_topic_prefix(std::string_view prefix) {
    const std::string p(prefix);
    if (prefix.empty()) return make_error("uplink.topic", "uplink.topic_prefix must not be empty");
    if (prefix.front() == '$')
        return make_error(
            "uplink.topic",
            "uplink.topic_prefix \"" + p + "\" must not start with '$' (reserved for the broker)");
    std::size_t start = 0;
    for (;;) {
        const auto slash = prefix.find('/', start);
        const auto level =
            prefix.substr(start, slash == std::string_view::npos ? slash : slash - start);
        if (level.empty())
            return make_error("uplink.topic",
                              "uplink.topic_prefix \"" + p +
                                  "\" has an empty level (leading, trailing or double '/')");
        if (level.find_first_of(std::string_view("+#\0", 3)) != std::string_view::npos)
            return make_error("uplink.topic",
                              "uplink.topic_prefix \"" + p + "\" must not contain '+', '#' or NUL");
        if (slash == std::string_view::npos) return {};
        start = slash + 1;
    }
}

Expected<Topics> Topics::make(std::string_view prefix, std::string_view gateway_id) {
    if (auto r = validate_topic_prefix(prefix); !r) return std::unexpected(r.error());
    if (auto r = validate_topic_level(gateway_id, "uplink.gateway_id"); !r)
        return std::unexpected(r.error());
    std::string base = std::string(prefix) + "/" + std::string(gateway_id);
    return Topics{base,
                  base + "/telemetry",
                  base + "/status",
                  base + "/cmd",
                  base + "/cmd/result",
                  base + "/audit",
                  base + "/events",
                  base + "/csr",
                  base + "/certificate"};
}

}  // namespace lintel::uplink

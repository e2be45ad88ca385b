// Strict JSON parsing with paths in messages (see strict_json.hpp).
#include "commands/strict_json.hpp"

#include <limits>
#include <set>
#include <vector>

#include "commands/reason_codes.hpp"
#include "common/strict_json.hpp"

namespace lintel::commands {
namespace {

using nlohmann::json;

// One open container while parsing: which keys it has seen, and where the parser is in it.
struct Frame {
    bool object = false;
    std::set<std::string> keys;
    std::string key;        // objects: the key whose value comes next
    std::size_t index = 0;  // arrays: the index of the next element
};

// "payload.args.list[2]": the path to the innermost open container.
std::string path_of(std::string_view subject, const std::vector<Frame>& frames) {
    std::string path(subject);
    for (std::size_t i = 0; i + 1 < frames.size(); ++i) {
        if (frames[i].object) {
            path += "." + printable(frames[i].key, 40);
        } else {
            path += "[" + std::to_string(frames[i].index) + "]";
        }
    }
    return path;
}

}  // namespace

std::unexpected<Error> field_error(std::string_view path, std::string_view what) {
    return make_error(std::string(reason::malformed), std::string(path) + ": " + std::string(what));
}

Expected<json> parse_strict_json(std::string_view text, std::string_view subject, int max_depth,
                                 std::string_view depth_rule) {
    if (text.empty()) return field_error(subject, "empty");
    // nlohmann skips a UTF-8 BOM silently; JSON on the wire must not carry one (RFC 8259 §8.1).
    if (text.starts_with("\xEF\xBB\xBF"))
        return field_error(subject, "starts with a byte order mark");
    std::vector<Frame> frames;
    std::string error;
    auto callback = [&](int depth, json::parse_event_t event, json& parsed) {
        // After a refusal nothing is kept or checked: the parse only runs on to its end without
        // building values (nlohmann skips object_end for discarded objects, so the frames would
        // be off from here on anyway).
        if (!error.empty()) return false;
        switch (event) {
            case json::parse_event_t::object_start:
            case json::parse_event_t::array_start:
                if (depth + 1 > max_depth) {
                    error = printable(path_of(subject, frames), 120) + ": nested too deeply (" +
                            std::string(depth_rule) + ")";
                    return false;
                }
                frames.emplace_back();
                frames.back().object = event == json::parse_event_t::object_start;
                return true;
            case json::parse_event_t::key:
                if (!frames.empty() && parsed.is_string()) {
                    Frame& top = frames.back();
                    top.key = parsed.get<std::string>();
                    if (!top.keys.insert(top.key).second) {
                        error = path_of(subject, frames) + ": duplicate key \"" +
                                printable(top.key) + "\"";
                        return false;
                    }
                }
                return true;
            case json::parse_event_t::object_end:
            case json::parse_event_t::array_end:
                if (!frames.empty()) frames.pop_back();
                if (!frames.empty() && !frames.back().object) ++frames.back().index;
                return true;
            case json::parse_event_t::value:
                if (!frames.empty() && !frames.back().object) ++frames.back().index;
                return true;
        }
        return true;
    };
    try {
        json value = json::parse(text.begin(), text.end(), callback);
        if (!error.empty()) return make_error(std::string(reason::malformed), error);
        return value;
    } catch (const json::parse_error& e) {
        return field_error(subject, common::describe_parse_error(e));
    } catch (const json::exception& e) {  // e.g. out_of_range for a number that overflows
        return field_error(subject, "not valid JSON: " + printable(e.what(), 120));
    }
}

int json_depth(const json& value, int limit) {
    if (!value.is_structured()) return 0;
    if (limit < 0) return 1;  // deep enough: the caller refuses it without looking further
    int deepest = 0;
    for (const auto& child : value) {
        deepest = std::max(deepest, json_depth(child, limit - 1));
        if (deepest > limit) break;
    }
    return deepest + 1;
}

std::string join_names(std::span<const std::string_view> names) {
    std::string out;
    for (auto name : names) {
        if (!out.empty()) out += ", ";
        out += name;
    }
    return out;
}

std::string printable(std::string_view text, std::size_t max) {
    return common::printable(text, max);
}

bool is_identifier(std::string_view text) {
    if (text.empty() || text.size() > 64) return false;
    for (char c : text) {
        const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                        (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
        if (!ok) return false;
    }
    return true;
}

bool is_action_name(std::string_view text) {
    if (text.empty() || text.size() > 64) return false;
    for (char c : text) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
        if (!ok) return false;
    }
    return true;
}

std::optional<std::int64_t> non_negative_integer(const json& value) {
    if (value.is_number_unsigned()) {
        const auto v = value.get<std::uint64_t>();
        if (v > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
            return std::nullopt;
        }
        return static_cast<std::int64_t>(v);
    }
    if (value.is_number_integer()) {
        const auto v = value.get<std::int64_t>();
        if (v < 0) return std::nullopt;
        return v;
    }
    return std::nullopt;
}

}  // namespace lintel::commands

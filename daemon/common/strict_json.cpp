// parse_strict_json: nlohmann's SAX-callback parse with duplicate and depth checks.
#include "common/strict_json.hpp"

#include <set>
#include <vector>

namespace lintel::common {
namespace {

using nlohmann::json;

}  // namespace

// nlohmann's text is "[json.exception.parse_error.101] parse error at line 1, column 2: <why>;
// last read: '<peer bytes>'; expected <token>". Keep <why> and the expectation, drop the echo.
std::string describe_parse_error(const json::parse_error& e) {
    std::string text = e.what();
    if (auto colon = text.find(": "); colon != std::string::npos) text.erase(0, colon + 2);
    const std::string echo = "; last read: '";
    if (auto start = text.find(echo); start != std::string::npos) {
        const std::string tail = "'; expected ";
        auto expect = text.rfind(tail);
        std::string rest = expect != std::string::npos && expect >= start + echo.size()
                               ? "; expected " + text.substr(expect + tail.size())
                               : std::string();
        text.erase(start);
        text += rest;
    }
    return "not valid JSON at byte " + std::to_string(e.byte) + ": " + printable(text);
}

std::string printable(std::string_view text, std::size_t max) {
    std::string out;
    for (char c : text) {
        if (out.size() >= max) {
            out += "...";
            break;
        }
        const auto u = static_cast<unsigned char>(c);
        out += (u >= 0x20 && u < 0x7f) ? c : '?';
    }
    return out;
}

Expected<json> parse_strict_json(std::string_view text, std::string_view subject_view,
                                 std::string_view error_code, int max_nesting) {
    std::vector<std::set<std::string>> open_objects;
    std::string duplicate;
    bool too_deep = false;
    auto callback = [&](int depth, json::parse_event_t event, json& parsed) {
        // Past the depth limit nothing is kept or checked: the parse only runs on to its end
        // (iteratively, without building values). nlohmann skips object_end for discarded
        // objects, so the duplicate tracking below would be off from here on anyway.
        if (too_deep) return false;
        switch (event) {
            case json::parse_event_t::array_start:
            case json::parse_event_t::object_start:
                if (depth >= max_nesting) {
                    too_deep = true;
                    return false;
                }
                if (event == json::parse_event_t::object_start) open_objects.emplace_back();
                return true;
            case json::parse_event_t::object_end:
                if (!open_objects.empty()) open_objects.pop_back();
                return true;
            case json::parse_event_t::key:
                if (!open_objects.empty() && parsed.is_string() &&
                    !open_objects.back().insert(parsed.get<std::string>()).second &&
                    duplicate.empty()) {
                    duplicate = parsed.get<std::string>();
                }
                return true;
            default:
                return true;
        }
    };
    const std::string subject(subject_view);
    const std::string code(error_code);
    try {
        json value = json::parse(text.begin(), text.end(), callback);
        if (too_deep) {
            return make_error(code, subject + " is nested deeper than " +
                                        std::to_string(max_nesting) + " levels");
        }
        if (!duplicate.empty()) {
            return make_error(code, "duplicate key \"" + printable(duplicate) + "\" in " + subject);
        }
        return value;
    } catch (const json::parse_error& e) {
        return make_error(code, subject + " is " + describe_parse_error(e));
    } catch (const json::exception& e) {  // e.g. out_of_range for a number that overflows
        return make_error(code, subject + " is not valid JSON: " + printable(e.what()));
    }
}

}  // namespace lintel::common

// Parsing and rendering of write templates (see payload_template.hpp).
#include "payload_template.hpp"

#include <nlohmann/json.hpp>

#include "common/strict_json.hpp"

namespace lintel::jsonmap {
namespace {

using nlohmann::json;

std::string_view trim(std::string_view s) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    return s;
}

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// Inside a JSON string: the encoding of the string without its quotes.
std::string json_string_content(std::string_view text) {
    std::string quoted = dump(json(std::string(text)));
    return quoted.substr(1, quoted.size() - 2);
}

sdk::Value sample(ValueType kind) {
    switch (kind) {
        case ValueType::boolean:
            return true;
        case ValueType::integer:
            return std::int64_t{-12};
        case ValueType::real:
            return -1.5;
        case ValueType::string:
            break;
    }
    return std::string("a \"quoted\" \\ text/\n");
}

}  // namespace

std::string json_encode(const sdk::Value& value) {
    return std::visit([](const auto& v) { return dump(json(v)); }, value);
}

std::string plain_text(const sdk::Value& value) {
    if (const auto* s = std::get_if<std::string>(&value)) return *s;
    return json_encode(value);
}

std::string percent_encode(std::string_view text) {
    static constexpr char k_hex[] = "0123456789ABCDEF";
    std::string out;
    for (char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if ((u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~') {
            out += c;
        } else {
            out += '%';
            out += k_hex[u >> 4];
            out += k_hex[u & 0x0f];
        }
    }
    return out;
}

Expected<PayloadTemplate> PayloadTemplate::parse(std::string_view text, Escape escape,
                                                 ValueType kind) {
    PayloadTemplate t;
    t.source_ = std::string(text);
    t.escape_ = escape;
    std::size_t pos = 0;
    while (pos < text.size()) {
        const std::size_t open = text.find("{{", pos);
        if (open == std::string_view::npos) {
            t.parts_.push_back(Part{Slot::literal, std::string(text.substr(pos))});
            break;
        }
        if (open > pos)
            t.parts_.push_back(Part{Slot::literal, std::string(text.substr(pos, open - pos))});
        const std::size_t close = text.find("}}", open + 2);
        if (close == std::string_view::npos) {
            return make_error("template.syntax", "\"{{\" at offset " + std::to_string(open) +
                                                     " has no closing \"}}\"");
        }
        const std::string_view name = trim(text.substr(open + 2, close - open - 2));
        Slot slot = Slot::literal;
        if (name == "value") {
            slot = Slot::value;
        } else if (name == "text") {
            slot = Slot::text;
        } else if (name == "point") {
            slot = Slot::point;
        } else if (name == "device") {
            slot = Slot::device;
        } else {
            return make_error("template.syntax",
                              "unknown placeholder {{" + common::printable(name, 40) +
                                  "}}; use {{value}}, {{text}}, {{point}} or {{device}}");
        }
        t.parts_.push_back(Part{slot, {}});
        pos = close + 2;
    }
    // Only a template whose own text starts like JSON is checked ("{{text}}" is plain text).
    std::string_view head;
    if (!t.parts_.empty() && t.parts_.front().slot == Slot::literal)
        head = trim(t.parts_.front().literal);
    if (escape == Escape::json && !head.empty() &&
        (head.front() == '{' || head.front() == '[' || head.front() == '"')) {
        const sdk::Value v = sample(kind);
        const std::string rendered = t.render(TemplateContext{v, "a/\"point\"", "dev\\ice"});
        if (!json::accept(rendered)) {
            return make_error("template.invalid_json",
                              "template does not give valid JSON (rendered for a " +
                                  std::string(to_string(kind)) +
                                  " value: " + common::printable(rendered, 80) +
                                  "); note {{value}} adds quotes around strings itself");
        }
    }
    return t;
}

std::string PayloadTemplate::render(const TemplateContext& c) const {
    std::string out;
    for (const Part& p : parts_) {
        std::string piece;
        switch (p.slot) {
            case Slot::literal:
                out += p.literal;
                continue;
            case Slot::value:
                piece = json_encode(c.value);
                if (escape_ == Escape::url) piece = percent_encode(piece);
                break;
            case Slot::text:
                piece = plain_text(c.value);
                piece = escape_ == Escape::url ? percent_encode(piece) : json_string_content(piece);
                break;
            case Slot::point:
            case Slot::device: {
                const std::string_view name = p.slot == Slot::point ? c.point : c.device;
                piece = escape_ == Escape::url ? percent_encode(name) : json_string_content(name);
                break;
            }
        }
        out += piece;
    }
    return out;
}

}  // namespace lintel::jsonmap

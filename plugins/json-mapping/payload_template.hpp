// Write payloads and URLs rendered from a template with {{value}}, {{text}}, {{point}} and
// {{device}}, escaped for where the result goes so it stays valid JSON or a valid URL.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "lintel/error.hpp"
#include "lintel/point.hpp"
#include "mapping.hpp"

namespace lintel::jsonmap {

// json: {{value}} is the value's JSON encoding (true, 21.5, "on"); {{text}}, {{point}} and
//       {{device}} are escaped for use inside a JSON string ("name": "{{point}}").
// url:  every placeholder is percent-encoded (RFC 3986 unreserved characters stay as they are).
enum class Escape { json, url };

struct TemplateContext {
    const sdk::Value& value;
    std::string_view point;
    std::string_view device;
};

class PayloadTemplate {
public:
    // Errors (template.syntax): an unknown placeholder, "{{" without "}}". With Escape::json a
    // template that starts like JSON ('{', '[' or '"') must render valid JSON for a `kind`
    // value (template.invalid_json).
    static Expected<PayloadTemplate> parse(std::string_view text, Escape escape, ValueType kind);

    std::string render(const TemplateContext& context) const;
    bool empty() const { return parts_.empty(); }
    const std::string& source() const { return source_; }

private:
    enum class Slot { literal, value, text, point, device };
    struct Part {
        Slot slot = Slot::literal;
        std::string literal;
    };
    std::vector<Part> parts_;
    std::string source_;
    Escape escape_ = Escape::json;
};

// The JSON encoding of a value ("true", "21.5", "\"on\""); invalid UTF-8 becomes U+FFFD.
std::string json_encode(const sdk::Value& value);
// The value as plain text: true/false, 21.5, on.
std::string plain_text(const sdk::Value& value);
std::string percent_encode(std::string_view text);

}  // namespace lintel::jsonmap

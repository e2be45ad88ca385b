// Fuzzes the JSON point mapping: a device payload against a fixed set of mappings (every type,
// escapes, array indexes, timestamps, from_text), and the same bytes as a write template.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "extract.hpp"
#include "payload_template.hpp"

namespace {

using lintel::jsonmap::PointMapping;
using lintel::jsonmap::ValueType;

PointMapping mapping(const char* pointer, ValueType type, bool from_text = false,
                     const char* timestamp = nullptr) {
    PointMapping m;
    m.name = pointer;
    m.pointer = pointer;
    m.type = type;
    m.from_text = from_text;
    if (timestamp != nullptr) m.timestamp = timestamp;
    if (type == ValueType::integer && from_text) m.scale = 0.1;
    return m;
}

const std::vector<PointMapping>& mappings() {
    static const std::vector<PointMapping> all{
        mapping("", ValueType::string),
        mapping("/t", ValueType::real, false, "/ts"),
        mapping("/t", ValueType::real, true),
        mapping("/a/0/b", ValueType::integer),
        mapping("/a/1", ValueType::integer, true),
        mapping("/x~1y/m~0n", ValueType::boolean, true, "/time"),
        mapping("/on", ValueType::boolean),
        mapping("/s", ValueType::string, false, "/ts"),
    };
    return all;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto out = lintel::jsonmap::extract(text, mappings(), "dev", 1'700'000'000'000);
    if (out.size() != mappings().size()) __builtin_trap();
    for (const auto& e : out) {
        if ((e.value.quality == lintel::sdk::Quality::error) != e.error.has_value())
            __builtin_trap();
    }
    using lintel::jsonmap::Escape;
    using lintel::jsonmap::PayloadTemplate;
    for (Escape escape : {Escape::json, Escape::url}) {
        auto t = PayloadTemplate::parse(text, escape, ValueType::string);
        if (!t) continue;
        const lintel::sdk::Value v{std::string(text.substr(0, 16))};
        (void)t->render(lintel::jsonmap::TemplateContext{v, "p\"", "d\\"});
    }
    return 0;
}

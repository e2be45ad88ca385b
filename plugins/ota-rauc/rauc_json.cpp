// parse_status and parse_bundle_info over nlohmann::json (exceptions stay inside).
#include "rauc_json.hpp"

#include <nlohmann/json.hpp>

#include "lintel/update_handler.hpp"

namespace lintel::ota::rauc {
namespace {

using nlohmann::json;

constexpr int k_max_depth = 16;

std::unexpected<Error> failed(std::string message) {
    return make_error(std::string(sdk::update_codes::query_failed), "rauc: " + std::move(message));
}

// A string member, "" when absent or null; nullopt when present with another type.
std::optional<std::string> text_of(const json& object, const char* key) {
    auto it = object.find(key);
    if (it == object.end() || it->is_null()) return std::string();
    if (!it->is_string()) return std::nullopt;
    return it->get<std::string>();
}

// Deeply nested input is refused before anything walks it (nlohmann recurses on destruction).
Expected<json> parse_bounded(std::string_view text) {
    int depth = 0;
    bool in_string = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (in_string) {
            if (c == '\\')
                ++i;
            else if (c == '"')
                in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '{' || c == '[') {
            if (++depth > k_max_depth) return failed("output nested too deeply");
        } else if (c == '}' || c == ']') {
            --depth;
        }
    }
    json parsed = json::parse(text, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object()) return failed("output is not a JSON object");
    return parsed;
}

Expected<Slot> parse_slot(const std::string& name, const json& body) {
    if (!body.is_object()) return failed("slot " + name + " is not an object");
    Slot slot;
    slot.name = name;
    auto slot_class = text_of(body, "class");
    auto bootname = text_of(body, "bootname");
    auto state = text_of(body, "state");
    auto boot_status = text_of(body, "boot_status");
    if (!slot_class || !bootname || !state || !boot_status) {
        return failed("slot " + name + " has a field of an unexpected type");
    }
    slot.slot_class = *slot_class;
    slot.bootname = *bootname;
    slot.state = *state;
    slot.boot_status = *boot_status;
    auto status = body.find("slot_status");
    if (status != body.end() && status->is_object()) {
        auto bundle = status->find("bundle");
        if (bundle != status->end() && bundle->is_object()) {
            auto version = text_of(*bundle, "version");
            if (!version) return failed("slot " + name + " has a non-string bundle version");
            if (!version->empty()) slot.bundle_version = *version;
        }
    }
    return slot;
}

}  // namespace

const Slot* Status::booted_slot() const {
    for (const auto& slot : slots) {
        if (slot.state == "booted") return &slot;
    }
    return nullptr;
}

Expected<Status> parse_status(std::string_view json_text) {
    auto parsed = parse_bounded(json_text);
    if (!parsed) return std::unexpected(parsed.error());
    Status out;
    auto compatible = text_of(*parsed, "compatible");
    auto booted = text_of(*parsed, "booted");
    if (!compatible || !booted) return failed("status has a field of an unexpected type");
    out.compatible = *compatible;
    out.booted = *booted;
    auto slots = parsed->find("slots");
    if (slots == parsed->end() || !slots->is_array()) return failed("status lists no slots");
    // rauc 1.8 prints each slot as a one-member object {"<name>": {...}}.
    for (const auto& entry : *slots) {
        if (!entry.is_object() || entry.size() != 1) return failed("a slot entry is malformed");
        auto slot = parse_slot(entry.begin().key(), entry.begin().value());
        if (!slot) return std::unexpected(slot.error());
        out.slots.push_back(std::move(*slot));
    }
    return out;
}

Expected<BundleInfo> parse_bundle_info(std::string_view json_text) {
    auto parsed = parse_bounded(json_text);
    if (!parsed) return std::unexpected(parsed.error());
    auto compatible = text_of(*parsed, "compatible");
    auto version = text_of(*parsed, "version");
    if (!compatible || !version || version->empty()) {
        return failed("bundle info has no string compatible and version");
    }
    return BundleInfo{*compatible, *version};
}

}  // namespace lintel::ota::rauc

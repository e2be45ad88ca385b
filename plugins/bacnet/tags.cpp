// BACnet encoding primitives: tag headers and primitive values (see tags.hpp).
#include "tags.hpp"

#include <bit>
#include <string>

#include "common/utf8.hpp"

namespace lintel::bacnet {
namespace {

// ---- encoding helpers ----

std::uint32_t unsigned_width(std::uint64_t v) {
    std::uint32_t n = 1;
    while (n < 8 && (v >> (8 * n)) != 0) ++n;
    return n;
}

// Fewest bytes whose two's complement holds v.
std::uint32_t signed_width(std::int64_t v) {
    std::uint32_t n = 1;
    while (n < 8) {
        const std::int64_t lo = -(std::int64_t{1} << (8 * n - 1));
        const std::int64_t hi = (std::int64_t{1} << (8 * n - 1)) - 1;
        if (v >= lo && v <= hi) break;
        ++n;
    }
    return n;
}

// First header byte (and the extended tag number above 14) with length/value/type `lvt`.
void put_header(Bytes& out, std::uint8_t number, bool context, unsigned lvt) {
    const bool extended = number > 14;
    const unsigned high = extended ? 0xF0U : static_cast<unsigned>(number) << 4;
    out.push_back(static_cast<std::uint8_t>(high | (context ? 0x08U : 0U) | lvt));
    if (extended) out.push_back(number);
}

void put_be(Bytes& out, std::uint64_t v, std::uint32_t width) {
    for (std::uint32_t i = width; i > 0; --i) {
        out.push_back(static_cast<std::uint8_t>(v >> (8 * (i - 1))));
    }
}

std::uint32_t object_id_bits(ObjectId id) {
    return (static_cast<std::uint32_t>(static_cast<std::uint16_t>(id.type) & 0x3FFU) << 22) |
           (id.instance & kMaxInstance);
}

void put_unsigned(Bytes& out, std::uint8_t tag, TagClass c, std::uint64_t v) {
    const std::uint32_t w = unsigned_width(v);
    put_tag(out, tag, c, w);
    put_be(out, v, w);
}

void put_string(Bytes& out, const std::string& s) {
    put_tag(out, static_cast<std::uint8_t>(AppTag::character_string), TagClass::application,
            static_cast<std::uint32_t>(s.size() + 1));
    out.push_back(charset::utf8);
    out.insert(out.end(), s.begin(), s.end());
}

void put_bits(Bytes& out, const BitString& b) {
    const std::size_t octets = (b.bits.size() + 7) / 8;
    put_tag(out, static_cast<std::uint8_t>(AppTag::bit_string), TagClass::application,
            static_cast<std::uint32_t>(octets + 1));
    out.push_back(static_cast<std::uint8_t>(octets * 8 - b.bits.size()));
    for (std::size_t i = 0; i < octets; ++i) {
        unsigned packed = 0;
        for (std::size_t bit = 0; bit < 8 && i * 8 + bit < b.bits.size(); ++bit) {
            if (b.bits[i * 8 + bit]) packed |= 0x80U >> bit;  // bit 0 is the most significant
        }
        out.push_back(static_cast<std::uint8_t>(packed));
    }
}

void put_app(Bytes& out, AppTag tag, std::uint32_t length) {
    put_tag(out, static_cast<std::uint8_t>(tag), TagClass::application, length);
}

// ---- decoding helpers ----

std::uint64_t be(std::span<const std::uint8_t> bytes) {
    std::uint64_t v = 0;
    for (std::uint8_t b : bytes) v = (v << 8) | b;
    return v;
}

Expected<std::uint64_t> unsigned_content(Reader& r, const Tag& t, std::string_view what,
                                         std::uint32_t max_bytes) {
    if (t.length == 0 || t.length > max_bytes) {
        return r.fail_at(t.offset, std::string(what) + " of " + std::to_string(t.length) +
                                       " bytes (expected 1 to " + std::to_string(max_bytes) + ")");
    }
    auto content = r.bytes(t.length, what);
    if (!content) return std::unexpected(content.error());
    return be(*content);
}

Expected<std::int64_t> signed_content(Reader& r, const Tag& t) {
    auto u = unsigned_content(r, t, "Signed", 8);
    if (!u) return std::unexpected(u.error());
    const unsigned shift = 64U - 8U * t.length;
    // Sign-extend from the top content bit: left-align, then shift back arithmetically.
    return static_cast<std::int64_t>(*u << shift) >> shift;
}

void append_utf8(std::string& out, std::uint32_t cp) {
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

// Fixed-width code units (UCS-2: 2, UCS-4: 4, ISO 8859-1: 1) to UTF-8.
std::string widen(std::span<const std::uint8_t> text, std::size_t unit) {
    std::string out;
    out.reserve(text.size() * 2);
    for (std::size_t i = 0; i + unit <= text.size(); i += unit) {
        append_utf8(out, static_cast<std::uint32_t>(be(text.subspan(i, unit))));
    }
    return out;
}

Expected<Value> string_content(Reader& r, const Tag& t) {
    if (t.length == 0) return r.fail_at(t.offset, "CharacterString has no character set byte");
    auto content = r.bytes(t.length, "CharacterString");
    if (!content) return std::unexpected(content.error());
    const std::uint8_t set = (*content)[0];
    const auto text = content->subspan(1);
    switch (set) {
        case charset::utf8: {
            std::string s(text.begin(), text.end());
            // Older devices send ISO 8859-1 under character set 0; every byte string is valid
            // Latin-1, so what is not UTF-8 is read that way rather than refused.
            if (common::first_invalid_utf8(s)) return Value{widen(text, 1)};
            return Value{std::move(s)};
        }
        case charset::iso_8859_1:
            return Value{widen(text, 1)};
        case charset::ucs2:
        case charset::ucs4: {
            const std::size_t unit = set == charset::ucs2 ? 2 : 4;
            if (text.size() % unit != 0) {
                return r.fail_at(t.offset, "CharacterString in " +
                                               std::string(unit == 2 ? "UCS-2" : "UCS-4") +
                                               " has " + std::to_string(text.size()) +
                                               " bytes, not a multiple of " + std::to_string(unit));
            }
            return Value{widen(text, unit)};
        }
        case charset::dbcs:
        case charset::jis_x0208:
            return r.fail_at(
                t.offset,
                std::string("CharacterString in character set ") +
                    (set == charset::dbcs ? "1 (IBM/Microsoft DBCS)" : "2 (JIS X 0208)") +
                    " is not supported (UTF-8, ISO 8859-1, UCS-2 and UCS-4 are)",
                kUnsupported);
        default:
            return r.fail_at(t.offset,
                             "CharacterString has unknown character set " + std::to_string(set));
    }
}

Expected<Value> bits_content(Reader& r, const Tag& t) {
    if (t.length == 0) return r.fail_at(t.offset, "BIT STRING has no unused-bits byte");
    auto content = r.bytes(t.length, "BIT STRING");
    if (!content) return std::unexpected(content.error());
    const std::uint8_t unused = (*content)[0];
    if (unused > 7 || (t.length == 1 && unused != 0)) {
        return r.fail_at(t.offset, "BIT STRING says " + std::to_string(unused) +
                                       " unused bits in " + std::to_string(t.length - 1) +
                                       " data bytes");
    }
    BitString b;
    const std::size_t count = (t.length - 1U) * 8U - unused;
    b.bits.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        const unsigned byte = (*content)[1 + i / 8];
        b.bits.push_back(((byte >> (7 - i % 8)) & 1U) != 0);
    }
    return Value{std::move(b)};
}

Expected<std::span<const std::uint8_t>> fixed(Reader& r, const Tag& t, std::uint32_t size,
                                              std::string_view what) {
    if (t.length != size) {
        return r.fail_at(t.offset, std::string(what) + " of " + std::to_string(t.length) +
                                       " bytes (expected " + std::to_string(size) + ")");
    }
    return r.bytes(size, what);
}

ObjectId object_id_from(std::span<const std::uint8_t> b) {
    const auto v = static_cast<std::uint32_t>(be(b));
    return ObjectId{static_cast<ObjectType>(v >> 22), v & kMaxInstance};
}

// The content of an application-tagged primitive whose header `t` was just read.
Expected<Value> application_content(Reader& r, const Tag& t) {
    switch (static_cast<AppTag>(t.number)) {
        case AppTag::null:
            if (t.length != 0) return r.fail_at(t.offset, "NULL with content bytes");
            return Value{Null{}};
        case AppTag::boolean:
            return Value{t.length == 1};
        case AppTag::unsigned_int:
            return map_value(unsigned_content(r, t, "Unsigned", 8),
                             [](std::uint64_t v) { return Value{v}; });
        case AppTag::signed_int:
            return map_value(signed_content(r, t), [](std::int64_t v) { return Value{v}; });
        case AppTag::real:
            return map_value(fixed(r, t, 4, "REAL"), [](std::span<const std::uint8_t> b) {
                return Value{std::bit_cast<float>(static_cast<std::uint32_t>(be(b)))};
            });
        case AppTag::double_real:
            return map_value(fixed(r, t, 8, "Double"), [](std::span<const std::uint8_t> b) {
                return Value{std::bit_cast<double>(be(b))};
            });
        case AppTag::octet_string:
            return map_value(r.bytes(t.length, "OCTET STRING"), [](auto b) {
                return Value{OctetString{{b.begin(), b.end()}}};
            });
        case AppTag::character_string:
            return string_content(r, t);
        case AppTag::bit_string:
            return bits_content(r, t);
        case AppTag::enumerated:
            return map_value(unsigned_content(r, t, "ENUMERATED", 4), [](std::uint64_t v) {
                return Value{Enumerated{static_cast<std::uint32_t>(v)}};
            });
        case AppTag::date:
            return map_value(fixed(r, t, 4, "Date"), [](std::span<const std::uint8_t> b) {
                return Value{Date{b[0], b[1], b[2], b[3]}};
            });
        case AppTag::time:
            return map_value(fixed(r, t, 4, "Time"), [](std::span<const std::uint8_t> b) {
                return Value{Time{b[0], b[1], b[2], b[3]}};
            });
        case AppTag::object_id:
            return map_value(
                fixed(r, t, 4, "BACnetObjectIdentifier"),
                [](std::span<const std::uint8_t> b) { return Value{object_id_from(b)}; });
    }
    return r.fail_at(t.offset, describe(t) + " is reserved");  // parse_tag refuses these
}

Expected<Value> read_element(Reader& r, int depth) {
    auto t = r.tag();
    if (!t) return std::unexpected(t.error());
    switch (t->kind) {
        case TagKind::closing:
            return r.fail_at(t->offset, "unexpected " + describe(*t));
        case TagKind::opening: {
            if (depth >= kMaxNesting) {
                return r.fail_at(t->offset, "value nests deeper than " +
                                                std::to_string(kMaxNesting) + " levels");
            }
            Constructed c{t->number, {}};
            while (true) {
                auto next = r.peek_tag();
                if (!next) {
                    if (r.empty()) {
                        return r.fail_at(t->offset, describe(*t) + " has no closing tag");
                    }
                    return std::unexpected(next.error());
                }
                if (next->kind == TagKind::closing) {
                    if (next->number != t->number) {
                        return r.fail_at(next->offset, describe(*next) +
                                                           " does not match opening tag " +
                                                           std::to_string(t->number));
                    }
                    (void)r.tag();
                    return Value{std::move(c)};
                }
                auto item = read_element(r, depth + 1);
                if (!item) return item;
                c.items.push_back(std::move(*item));
            }
        }
        case TagKind::primitive:
            break;
    }
    if (t->tag_class == TagClass::context) {
        return map_value(r.bytes(t->length, "context value"), [&](auto b) {
            return Value{ContextValue{t->number, {b.begin(), b.end()}}};
        });
    }
    return application_content(r, *t);
}

// The next tag must be context tag `tag`; returns its header.
Expected<Tag> expect_context(Reader& r, std::uint8_t tag, std::string_view field) {
    if (r.empty()) {
        return r.fail(std::string(field) + " (context tag " + std::to_string(tag) + ") is missing");
    }
    auto t = r.peek_tag();
    if (!t) return t;
    if (!t->is_context(tag)) {
        return r.fail(std::string(field) + " must be context tag " + std::to_string(tag) +
                      ", found " + describe(*t));
    }
    return r.tag();
}

Expected<Tag> expect_application(Reader& r, AppTag tag, std::string_view field) {
    const Tag want{static_cast<std::uint8_t>(tag), TagClass::application, TagKind::primitive, 0, 0};
    if (r.empty()) return r.fail(std::string(field) + " (" + describe(want) + ") is missing");
    auto t = r.peek_tag();
    if (!t) return t;
    if (!t->is_application() || t->kind != TagKind::primitive || t->number != want.number) {
        return r.fail(std::string(field) + " must be " + describe(want) + ", found " +
                      describe(*t));
    }
    return r.tag();
}

Expected<void> check_value_at(const Value& value, std::string_view field, int depth) {
    if (const auto* id = std::get_if<ObjectId>(&value)) return check_object_id(*id, field);
    if (const auto* c = std::get_if<ContextValue>(&value); c != nullptr && c->tag == 255) {
        return make_error(std::string(kInvalidRequest),
                          std::string(field) + ": context tag 255 is reserved");
    }
    if (const auto* c = std::get_if<Constructed>(&value)) {
        if (c->tag == 255 || depth >= kMaxNesting) {
            return make_error(std::string(kInvalidRequest),
                              std::string(field) + ": constructed value with tag " +
                                  std::to_string(c->tag) + " at depth " + std::to_string(depth) +
                                  " (tag below 255, at most " + std::to_string(kMaxNesting) +
                                  " levels)");
        }
        for (const Value& item : c->items) {
            if (auto ok = check_value_at(item, field, depth + 1); !ok) return ok;
        }
    }
    return {};
}

}  // namespace

void put_tag(Bytes& out, std::uint8_t number, TagClass tag_class, std::uint32_t length) {
    put_header(out, number, tag_class == TagClass::context, length <= 4 ? length : 5U);
    if (length <= 4) return;
    if (length <= 253) {
        out.push_back(static_cast<std::uint8_t>(length));
    } else if (length <= 0xFFFF) {
        out.push_back(254);
        put_be(out, length, 2);
    } else {
        out.push_back(255);
        put_be(out, length, 4);
    }
}

void put_opening(Bytes& out, std::uint8_t number) { put_header(out, number, true, 6); }

void put_closing(Bytes& out, std::uint8_t number) { put_header(out, number, true, 7); }

void put_value(Bytes& out, const Value& value) {
    if (std::holds_alternative<Null>(value)) {
        put_app(out, AppTag::null, 0);
    } else if (const auto* b = std::get_if<bool>(&value)) {
        put_app(out, AppTag::boolean, *b ? 1 : 0);
    } else if (const auto* u = std::get_if<std::uint64_t>(&value)) {
        put_unsigned(out, static_cast<std::uint8_t>(AppTag::unsigned_int), TagClass::application,
                     *u);
    } else if (const auto* s = std::get_if<std::int64_t>(&value)) {
        const std::uint32_t w = signed_width(*s);
        put_app(out, AppTag::signed_int, w);
        put_be(out, static_cast<std::uint64_t>(*s), w);
    } else if (const auto* f = std::get_if<float>(&value)) {
        put_app(out, AppTag::real, 4);
        put_be(out, std::bit_cast<std::uint32_t>(*f), 4);
    } else if (const auto* d = std::get_if<double>(&value)) {
        put_app(out, AppTag::double_real, 8);
        put_be(out, std::bit_cast<std::uint64_t>(*d), 8);
    } else if (const auto* o = std::get_if<OctetString>(&value)) {
        put_app(out, AppTag::octet_string, static_cast<std::uint32_t>(o->bytes.size()));
        out.insert(out.end(), o->bytes.begin(), o->bytes.end());
    } else if (const auto* str = std::get_if<std::string>(&value)) {
        put_string(out, *str);
    } else if (const auto* bits = std::get_if<BitString>(&value)) {
        put_bits(out, *bits);
    } else if (const auto* e = std::get_if<Enumerated>(&value)) {
        put_unsigned(out, static_cast<std::uint8_t>(AppTag::enumerated), TagClass::application,
                     e->value);
    } else if (const auto* date = std::get_if<Date>(&value)) {
        put_app(out, AppTag::date, 4);
        out.insert(out.end(), {date->year_since_1900, date->month, date->day, date->weekday});
    } else if (const auto* time = std::get_if<Time>(&value)) {
        put_app(out, AppTag::time, 4);
        out.insert(out.end(), {time->hour, time->minute, time->second, time->hundredths});
    } else if (const auto* id = std::get_if<ObjectId>(&value)) {
        put_app(out, AppTag::object_id, 4);
        put_be(out, object_id_bits(*id), 4);
    } else if (const auto* cv = std::get_if<ContextValue>(&value)) {
        put_tag(out, cv->tag, TagClass::context, static_cast<std::uint32_t>(cv->data.size()));
        out.insert(out.end(), cv->data.begin(), cv->data.end());
    } else if (const auto* c = std::get_if<Constructed>(&value)) {
        put_opening(out, c->tag);
        for (const Value& item : c->items) put_value(out, item);
        put_closing(out, c->tag);
    }
}

void put_context_unsigned(Bytes& out, std::uint8_t tag, std::uint64_t v) {
    put_unsigned(out, tag, TagClass::context, v);
}

void put_context_enumerated(Bytes& out, std::uint8_t tag, std::uint32_t v) {
    put_unsigned(out, tag, TagClass::context, v);
}

void put_context_boolean(Bytes& out, std::uint8_t tag, bool v) {
    put_tag(out, tag, TagClass::context, 1);
    out.push_back(v ? 1 : 0);
}

void put_context_object_id(Bytes& out, std::uint8_t tag, ObjectId id) {
    put_tag(out, tag, TagClass::context, 4);
    put_be(out, object_id_bits(id), 4);
}

Expected<void> check_object_id(const ObjectId& id, std::string_view field) {
    const auto type = static_cast<std::uint16_t>(id.type);
    if (type > kMaxObjectType || id.instance > kMaxInstance) {
        return make_error(std::string(kInvalidRequest), std::string(field) + ": object type " +
                                                            std::to_string(type) + " / instance " +
                                                            std::to_string(id.instance) +
                                                            " is outside 0..1023 / 0..4194303");
    }
    return {};
}

Expected<void> check_value(const Value& value, std::string_view field) {
    return check_value_at(value, field, 0);
}

Expected<Value> read_value(Reader& r) { return read_element(r, 0); }

Expected<Values> read_values(Reader& r) {
    Values values;
    while (!r.empty()) {
        auto v = read_value(r);
        if (!v) return std::unexpected(v.error());
        values.push_back(std::move(*v));
    }
    return values;
}

Expected<std::uint64_t> read_context_unsigned(Reader& r, std::uint8_t tag, std::string_view field) {
    auto t = expect_context(r, tag, field);
    if (!t) return std::unexpected(t.error());
    return unsigned_content(r, *t, field, 8);
}

Expected<std::optional<std::uint64_t>> read_optional_context_unsigned(Reader& r, std::uint8_t tag,
                                                                      std::string_view field) {
    if (!r.next_is_context(tag)) return std::optional<std::uint64_t>{};
    return map_value(read_context_unsigned(r, tag, field),
                     [](std::uint64_t v) { return std::optional<std::uint64_t>{v}; });
}

Expected<std::uint32_t> read_context_unsigned32(Reader& r, std::uint8_t tag,
                                                std::string_view field) {
    auto t = expect_context(r, tag, field);
    if (!t) return std::unexpected(t.error());
    return map_value(unsigned_content(r, *t, field, 4),
                     [](std::uint64_t v) { return static_cast<std::uint32_t>(v); });
}

Expected<std::optional<std::uint32_t>> read_optional_context_unsigned32(Reader& r, std::uint8_t tag,
                                                                        std::string_view field) {
    if (!r.next_is_context(tag)) return std::optional<std::uint32_t>{};
    return map_value(read_context_unsigned32(r, tag, field),
                     [](std::uint32_t v) { return std::optional<std::uint32_t>{v}; });
}

Expected<std::uint32_t> read_context_enumerated(Reader& r, std::uint8_t tag,
                                                std::string_view field) {
    // Same content rule as an Unsigned32: 1 to 4 big-endian bytes.
    return read_context_unsigned32(r, tag, field);
}

Expected<bool> read_context_boolean(Reader& r, std::uint8_t tag, std::string_view field) {
    auto t = expect_context(r, tag, field);
    if (!t) return std::unexpected(t.error());
    auto b = fixed(r, *t, 1, field);
    if (!b) return std::unexpected(b.error());
    if ((*b)[0] > 1) {
        return r.fail_at(t->offset, std::string(field) + " BOOLEAN value " +
                                        std::to_string((*b)[0]) + " is not 0 or 1");
    }
    return (*b)[0] == 1;
}

Expected<ObjectId> read_context_object_id(Reader& r, std::uint8_t tag, std::string_view field) {
    auto t = expect_context(r, tag, field);
    if (!t) return std::unexpected(t.error());
    return map_value(fixed(r, *t, 4, field), object_id_from);
}

Expected<std::uint64_t> read_app_unsigned(Reader& r, std::string_view field) {
    auto t = expect_application(r, AppTag::unsigned_int, field);
    if (!t) return std::unexpected(t.error());
    return unsigned_content(r, *t, field, 8);
}

Expected<std::uint32_t> read_app_enumerated(Reader& r, std::string_view field) {
    auto t = expect_application(r, AppTag::enumerated, field);
    if (!t) return std::unexpected(t.error());
    return map_value(unsigned_content(r, *t, field, 4),
                     [](std::uint64_t v) { return static_cast<std::uint32_t>(v); });
}

Expected<ObjectId> read_app_object_id(Reader& r, std::string_view field) {
    auto t = expect_application(r, AppTag::object_id, field);
    if (!t) return std::unexpected(t.error());
    return map_value(fixed(r, *t, 4, field), object_id_from);
}

}  // namespace lintel::bacnet

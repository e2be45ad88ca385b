// Bounds-checked reading of BACnet bytes and tag headers (see reader.hpp).
#include "reader.hpp"

#include <array>

namespace lintel::bacnet {
namespace {

constexpr std::array<std::string_view, 13> kApplicationTagNames{"NULL",
                                                                "BOOLEAN",
                                                                "Unsigned",
                                                                "Signed",
                                                                "REAL",
                                                                "Double",
                                                                "OCTET STRING",
                                                                "CharacterString",
                                                                "BIT STRING",
                                                                "ENUMERATED",
                                                                "Date",
                                                                "Time",
                                                                "BACnetObjectIdentifier"};

std::string bytes_left(std::size_t n) {
    return n == 1 ? std::string("the 1 byte left") : "the " + std::to_string(n) + " bytes left";
}

}  // namespace

std::unexpected<Error> invalid_request(std::string message) {
    return make_error(std::string(kInvalidRequest), std::move(message));
}

std::string_view application_tag_name(std::uint8_t tag) {
    return tag < kApplicationTagNames.size() ? kApplicationTagNames[tag] : std::string_view();
}

std::string hex8(std::uint8_t byte) {
    static constexpr char kDigits[] = "0123456789abcdef";
    return {'0', 'x', kDigits[byte >> 4], kDigits[byte & 0x0F]};
}

std::string describe(const Tag& tag) {
    const std::string n = std::to_string(tag.number);
    switch (tag.kind) {
        case TagKind::opening:
            return "opening tag " + n;
        case TagKind::closing:
            return "closing tag " + n;
        case TagKind::primitive:
            break;
    }
    if (tag.tag_class == TagClass::context) return "context tag " + n;
    if (tag.number < kApplicationTagNames.size()) {
        return "application tag " + n + " (" + std::string(application_tag_name(tag.number)) + ")";
    }
    return "application tag " + n;
}

std::unexpected<Error> Reader::fail_at(std::size_t absolute_offset, std::string_view message,
                                       std::string_view code) const {
    return make_error(std::string(code), std::string(layer_) + ": " + std::string(message) +
                                             " at offset " + std::to_string(absolute_offset));
}

std::unexpected<Error> Reader::fail(std::string_view message) const {
    return fail_at(offset(), message);
}

Expected<std::uint8_t> Reader::u8(std::string_view field) {
    if (left() < 1) return fail(std::string(field) + " is missing (no bytes left)");
    return data_[pos_++];
}

Expected<std::uint16_t> Reader::u16(std::string_view field) {
    if (left() < 2) {
        return fail(std::string(field) + " needs 2 bytes but only " + std::to_string(left()) +
                    " remain");
    }
    const auto v = static_cast<std::uint16_t>((data_[pos_] << 8) | data_[pos_ + 1]);
    pos_ += 2;
    return v;
}

Expected<std::span<const std::uint8_t>> Reader::bytes(std::size_t n, std::string_view field) {
    if (left() < n) {
        return fail(std::string(field) + " needs " + std::to_string(n) + " bytes but only " +
                    std::to_string(left()) + " remain");
    }
    auto out = data_.subspan(pos_, n);
    pos_ += n;
    return out;
}

Expected<Tag> Reader::parse_tag(std::size_t& pos) const {
    const std::size_t start = pos;
    const auto at = [&](std::string_view message) { return fail_at(base_ + start, message); };
    if (pos >= data_.size()) return at("a tag is expected but no bytes are left");
    const std::uint8_t first = data_[pos++];
    Tag tag;
    tag.offset = base_ + start;
    tag.number = static_cast<std::uint8_t>(first >> 4);
    tag.tag_class = (first & 0x08U) != 0 ? TagClass::context : TagClass::application;
    const unsigned lvt = first & 0x07U;
    if (tag.number == 15) {
        if (pos >= data_.size()) return at("extended tag number is missing");
        tag.number = data_[pos++];
        if (tag.number == 255) return at("extended tag number 255 is reserved");
    }
    if (tag.tag_class == TagClass::context) {
        if (lvt == 6) {
            tag.kind = TagKind::opening;
            return tag;
        }
        if (lvt == 7) {
            tag.kind = TagKind::closing;
            return tag;
        }
    } else {
        if (tag.number > 12) {
            return at("application tag " + std::to_string(tag.number) + " is reserved");
        }
        if (lvt >= 6) {
            return at(describe(tag) + " has length code " + std::to_string(lvt) +
                      ", which only context tags use (opening/closing)");
        }
        if (tag.number == 1) {  // BOOLEAN: the value is in the length field, no content
            if (lvt > 1) return at("BOOLEAN value " + std::to_string(lvt) + " is not 0 or 1");
            tag.length = lvt;
            return tag;
        }
    }
    std::uint64_t length = lvt;
    if (lvt == 5) {
        if (pos >= data_.size()) return at(describe(tag) + " extended length is missing");
        const std::uint8_t ext = data_[pos++];
        std::size_t width = 0;
        if (ext == 254) width = 2;
        if (ext == 255) width = 4;
        if (width == 0) {
            length = ext;
        } else {
            if (data_.size() - pos < width) {
                return at(describe(tag) + " extended length needs " + std::to_string(width) +
                          " bytes but only " + std::to_string(data_.size() - pos) + " remain");
            }
            length = 0;
            for (std::size_t i = 0; i < width; ++i) length = (length << 8) | data_[pos++];
        }
    }
    if (length > data_.size() - pos) {
        return at(describe(tag) + " length " + std::to_string(length) + " exceeds " +
                  bytes_left(data_.size() - pos));
    }
    tag.length = static_cast<std::uint32_t>(length);
    return tag;
}

Expected<Tag> Reader::tag() {
    std::size_t pos = pos_;
    auto t = parse_tag(pos);
    if (t) pos_ = pos;
    return t;
}

Expected<Tag> Reader::peek_tag() const {
    std::size_t pos = pos_;
    return parse_tag(pos);
}

bool Reader::next_is_closing(std::uint8_t n) const {
    auto t = peek_tag();
    return t && t->is_closing(n);
}

bool Reader::next_is_opening(std::uint8_t n) const {
    auto t = peek_tag();
    return t && t->is_opening(n);
}

bool Reader::next_is_context(std::uint8_t n) const {
    auto t = peek_tag();
    return t && t->is_context(n);
}

Expected<void> Reader::opening(std::uint8_t n, std::string_view field) {
    if (empty()) {
        return fail(std::string(field) + " must start with opening tag " + std::to_string(n) +
                    ", but no tag is left");
    }
    auto t = peek_tag();
    if (!t) return std::unexpected(t.error());
    if (!t->is_opening(n)) {
        return fail(std::string(field) + " must start with opening tag " + std::to_string(n) +
                    ", found " + describe(*t));
    }
    return map_value(tag(), [](const Tag&) {});
}

Expected<void> Reader::closing(std::uint8_t n, std::string_view field) {
    auto t = peek_tag();
    if (!t) {
        return fail(std::string(field) + " must end with closing tag " + std::to_string(n) +
                    " but no bytes are left");
    }
    if (!t->is_closing(n)) {
        return fail(std::string(field) + " must end with closing tag " + std::to_string(n) +
                    ", found " + describe(*t));
    }
    return map_value(tag(), [](const Tag&) {});
}

Expected<Reader> Reader::enclosed(std::uint8_t n, std::string_view field) {
    const std::size_t opening_offset = offset();
    if (auto ok = opening(n, field); !ok) return std::unexpected(ok.error());
    const std::size_t inner_start = pos_;
    // Walks the tags with an explicit stack (no recursion) so every closing tag is matched
    // against its own opening tag.
    std::array<std::uint8_t, kMaxNesting> open{};
    std::size_t depth = 1;
    open[0] = n;
    std::size_t pos = pos_;
    while (true) {
        const std::size_t tag_start = pos;
        if (pos >= data_.size()) {
            return fail_at(opening_offset, std::string(field) + ": opening tag " +
                                               std::to_string(n) + " has no closing tag");
        }
        auto t = parse_tag(pos);
        if (!t) return std::unexpected(t.error());
        if (t->kind == TagKind::opening) {
            if (depth == kMaxNesting) {
                return fail_at(t->offset, std::string(field) + " nests deeper than " +
                                              std::to_string(kMaxNesting) + " levels");
            }
            open[depth++] = t->number;
        } else if (t->kind == TagKind::closing) {
            if (t->number != open[depth - 1]) {
                return fail_at(t->offset, "closing tag " + std::to_string(t->number) +
                                              " does not match opening tag " +
                                              std::to_string(open[depth - 1]));
            }
            if (--depth == 0) {
                Reader inner(data_.subspan(inner_start, tag_start - inner_start), layer_,
                             base_ + inner_start);
                pos_ = pos;
                return inner;
            }
        } else if (!(t->is_application() && t->number == 1)) {
            pos += t->length;
        }
    }
}

Expected<void> Reader::skip_element() {
    auto t = peek_tag();
    if (!t) return std::unexpected(t.error());
    if (t->kind == TagKind::opening) {
        return map_value(enclosed(t->number, "constructed value"), [](const Reader&) {});
    }
    if (t->kind == TagKind::closing) return fail("unexpected " + describe(*t));
    if (auto ok = tag(); !ok) return std::unexpected(ok.error());
    if (!(t->is_application() && t->number == 1)) pos_ += t->length;
    return {};
}

Expected<void> Reader::expect_end() {
    if (empty()) return {};
    auto t = peek_tag();
    const std::string what = t ? describe(*t) : std::string("bytes");
    return fail(std::to_string(left()) + " unexpected trailing byte(s) (" + what + ")");
}

}  // namespace lintel::bacnet

// Bounds-checked reading of BACnet bytes and tag headers: every read either succeeds or returns an
// error naming the layer, what was wrong and the byte offset, so no decoder can run past its input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "lintel/error.hpp"

namespace lintel::bacnet {

// Error codes of this library. Remote answers (Error, Reject, Abort PDUs) have their own codes,
// see apdu.hpp.
inline constexpr std::string_view kMalformed = "bacnet.malformed";      // the bytes break a rule
inline constexpr std::string_view kUnsupported = "bacnet.unsupported";  // valid, but not handled
inline constexpr std::string_view kInvalidRequest = "bacnet.invalid_request";  // encoder input

// Deepest nesting of opening/closing tags a decoder follows. Real property values nest a few
// levels; the cap keeps hostile input from driving recursion (and the stack) without bound.
inline constexpr int kMaxNesting = 16;

// e.transform(f) for libstdc++ 12, whose std::expected has no monadic operations yet.
template <typename T, typename F>
auto map_value(Expected<T> e, F&& f) -> Expected<std::invoke_result_t<F, T&>> {
    using U = std::invoke_result_t<F, T&>;
    if (!e) return std::unexpected(std::move(e.error()));
    if constexpr (std::is_void_v<U>) {
        std::forward<F>(f)(*e);
        return {};
    } else {
        return std::forward<F>(f)(*e);
    }
}

enum class TagClass : std::uint8_t { application, context };
enum class TagKind : std::uint8_t { primitive, opening, closing };

// One decoded tag header. For a primitive tag `length` is the number of content bytes that
// follow (already checked against the input), except the application BOOLEAN, whose value is
// carried in `length` (0 or 1) with no content bytes.
struct Tag {
    std::uint8_t number = 0;
    TagClass tag_class = TagClass::application;
    TagKind kind = TagKind::primitive;
    std::uint32_t length = 0;
    std::size_t offset = 0;  // absolute offset of the tag's first byte

    bool is_context(std::uint8_t n) const {
        return tag_class == TagClass::context && kind == TagKind::primitive && number == n;
    }
    bool is_opening(std::uint8_t n) const { return kind == TagKind::opening && number == n; }
    bool is_closing(std::uint8_t n) const { return kind == TagKind::closing && number == n; }
    bool is_application() const { return tag_class == TagClass::application; }
};

// An encoder's refusal of its input (code bacnet.invalid_request).
std::unexpected<Error> invalid_request(std::string message);

// "REAL", "CharacterString", ... for application tags 0..12; "" otherwise.
std::string_view application_tag_name(std::uint8_t tag);

// "0x0a", for bytes in messages.
std::string hex8(std::uint8_t byte);

// Text such as "context tag 3", "opening tag 3" or "application tag 4 (REAL)" for messages.
std::string describe(const Tag& tag);

class Reader {
public:
    // `layer` prefixes every message ("APDU", "ReadProperty-ACK"); it must outlive the reader
    // (a string literal). `base` is the offset of data[0] in the whole datagram, so messages point
    // at the byte an operator sees in a capture.
    Reader(std::span<const std::uint8_t> data, std::string_view layer, std::size_t base = 0)
        : data_(data), layer_(layer), base_(base) {}

    std::size_t offset() const { return base_ + pos_; }
    std::size_t left() const { return data_.size() - pos_; }
    bool empty() const { return pos_ == data_.size(); }
    std::string_view layer() const { return layer_; }
    std::span<const std::uint8_t> rest() const { return data_.subspan(pos_); }

    Expected<std::uint8_t> u8(std::string_view field);
    Expected<std::uint16_t> u16(std::string_view field);
    Expected<std::span<const std::uint8_t>> bytes(std::size_t n, std::string_view field);

    // Reads a tag header; a primitive tag's content must fit in what is left. Application tags
    // 13..15 and application tags with an opening/closing form are refused.
    Expected<Tag> tag();
    // The next tag header without consuming it (an error if none is left or it is malformed).
    Expected<Tag> peek_tag() const;
    // True when the next tag is the closing tag n / opening tag n / context primitive tag n; false
    // at the end or on a malformed header (the following read reports it).
    bool next_is_closing(std::uint8_t n) const;
    bool next_is_opening(std::uint8_t n) const;
    bool next_is_context(std::uint8_t n) const;

    // Consumes opening or closing tag n, or fails naming `field`.
    Expected<void> opening(std::uint8_t n, std::string_view field);
    Expected<void> closing(std::uint8_t n, std::string_view field);

    // Consumes opening tag n, everything up to its matching closing tag (nesting at most
    // kMaxNesting deep, content not interpreted) and the closing tag; returns a reader over what
    // lies between, with offsets still absolute.
    Expected<Reader> enclosed(std::uint8_t n, std::string_view field);

    // Skips one complete element: a primitive tag with its content, or an opening tag through its
    // matching closing tag.
    Expected<void> skip_element();

    // Fails unless every byte was consumed.
    Expected<void> expect_end();

    // "<layer>: <message> at offset <offset()>", code bacnet.malformed (or `code`).
    std::unexpected<Error> fail(std::string_view message) const;
    std::unexpected<Error> fail_at(std::size_t absolute_offset, std::string_view message,
                                   std::string_view code = kMalformed) const;

private:
    Expected<Tag> parse_tag(std::size_t& pos) const;

    std::span<const std::uint8_t> data_;
    std::string_view layer_;
    std::size_t base_ = 0;
    std::size_t pos_ = 0;
};

}  // namespace lintel::bacnet

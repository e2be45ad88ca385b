// BACnet encoding primitives (ASHRAE 135 clause 20.2): tag headers, application and context
// tagged values of every primitive type, in both directions.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "lintel/error.hpp"
#include "reader.hpp"
#include "value.hpp"

namespace lintel::bacnet {

using Bytes = std::vector<std::uint8_t>;

enum class AppTag : std::uint8_t {
    null = 0,
    boolean = 1,
    unsigned_int = 2,
    signed_int = 3,
    real = 4,
    double_real = 5,
    octet_string = 6,
    character_string = 7,
    bit_string = 8,
    enumerated = 9,
    date = 10,
    time = 11,
    object_id = 12,
};

// Character sets of a CharacterString (its first content byte).
namespace charset {
inline constexpr std::uint8_t utf8 = 0;  // "ANSI X3.4" in older editions, UTF-8 since 2008
inline constexpr std::uint8_t dbcs = 1;
inline constexpr std::uint8_t jis_x0208 = 2;
inline constexpr std::uint8_t ucs4 = 3;
inline constexpr std::uint8_t ucs2 = 4;
inline constexpr std::uint8_t iso_8859_1 = 5;
}  // namespace charset

// ---- encoding: append to `out` ----

// A tag header in its shortest form (extended tag number above 14, extended length above 4).
void put_tag(Bytes& out, std::uint8_t number, TagClass tag_class, std::uint32_t length);
void put_opening(Bytes& out, std::uint8_t number);
void put_closing(Bytes& out, std::uint8_t number);

// `value` application-tagged (ContextValue and Constructed in their context forms). The value
// must pass check_value; strings are sent as character set 0 (UTF-8).
void put_value(Bytes& out, const Value& value);

void put_context_unsigned(Bytes& out, std::uint8_t tag, std::uint64_t v);
void put_context_enumerated(Bytes& out, std::uint8_t tag, std::uint32_t v);
void put_context_boolean(Bytes& out, std::uint8_t tag, bool v);
void put_context_object_id(Bytes& out, std::uint8_t tag, ObjectId id);

// Encoder input checks; errors bacnet.invalid_request naming `field`.
Expected<void> check_object_id(const ObjectId& id, std::string_view field);
// Object ids in range, context tag numbers below 255, nesting at most kMaxNesting.
Expected<void> check_value(const Value& value, std::string_view field);

// ---- decoding ----

// One element: an application-tagged value, a context-tagged primitive (ContextValue) or a
// constructed value (Constructed, nesting capped at kMaxNesting). A closing tag is an error.
Expected<Value> read_value(Reader& r);
// Elements until the reader is empty (a property value between its opening and closing tag).
Expected<Values> read_values(Reader& r);

// Service parameters, each naming `field` in its errors. The optional forms return nullopt when
// the next tag is not the context tag asked for (or nothing is left).
Expected<std::uint64_t> read_context_unsigned(Reader& r, std::uint8_t tag, std::string_view field);
Expected<std::optional<std::uint64_t>> read_optional_context_unsigned(Reader& r, std::uint8_t tag,
                                                                      std::string_view field);
// An Unsigned that must fit 32 bits (process ids, array indexes, lifetimes).
Expected<std::uint32_t> read_context_unsigned32(Reader& r, std::uint8_t tag,
                                                std::string_view field);
Expected<std::optional<std::uint32_t>> read_optional_context_unsigned32(Reader& r, std::uint8_t tag,
                                                                        std::string_view field);
Expected<std::uint32_t> read_context_enumerated(Reader& r, std::uint8_t tag,
                                                std::string_view field);
Expected<bool> read_context_boolean(Reader& r, std::uint8_t tag, std::string_view field);
Expected<ObjectId> read_context_object_id(Reader& r, std::uint8_t tag, std::string_view field);

// Application-tagged parameters (I-Am, Error PDU).
Expected<std::uint64_t> read_app_unsigned(Reader& r, std::string_view field);
Expected<std::uint32_t> read_app_enumerated(Reader& r, std::string_view field);
Expected<ObjectId> read_app_object_id(Reader& r, std::string_view field);

}  // namespace lintel::bacnet

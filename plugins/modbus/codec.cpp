// Register <-> value conversion with byte/word order and scale/offset (see codec.hpp).
#include "codec.hpp"

#include <bit>
#include <cmath>
#include <limits>
#include <string>

namespace lintel::modbus {
namespace {

std::uint16_t swap_bytes(std::uint16_t r) {
    return static_cast<std::uint16_t>((r << 8) | (r >> 8));
}

// The raw bits of a numeric point, most significant register first, bytes in big-endian order.
std::uint64_t assemble(const PointConfig& p, std::span<const std::uint16_t> regs) {
    std::uint64_t raw = 0;
    const std::size_t n = regs.size();
    for (std::size_t i = 0; i < n; ++i) {
        std::uint16_t r = regs[p.word_order == Order::big ? i : n - 1 - i];
        if (p.byte_order == Order::little) r = swap_bytes(r);
        raw = (raw << 16) | r;
    }
    return raw;
}

std::vector<std::uint16_t> disassemble(const PointConfig& p, std::uint64_t raw, std::size_t n) {
    std::vector<std::uint16_t> regs(n);
    for (std::size_t i = 0; i < n; ++i) {
        // i-th most significant register
        auto r = static_cast<std::uint16_t>(raw >> (16 * (n - 1 - i)));
        if (p.byte_order == Order::little) r = swap_bytes(r);
        regs[p.word_order == Order::big ? i : n - 1 - i] = r;
    }
    return regs;
}

std::string decode_string(const PointConfig& p, std::span<const std::uint16_t> regs) {
    std::string s;
    s.reserve(regs.size() * 2);
    for (std::uint16_t r : regs) {
        if (p.byte_order == Order::little) r = swap_bytes(r);
        s.push_back(static_cast<char>(r >> 8));
        s.push_back(static_cast<char>(r & 0xFF));
    }
    while (!s.empty() && (s.back() == '\0' || s.back() == ' ')) s.pop_back();
    // Telemetry is JSON downstream: keep it printable ASCII rather than pass invalid UTF-8 on.
    for (char& c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u >= 0x7F) c = '?';
    }
    return s;
}

// Values are built in place in the Expected: moving a temporary variant into it makes g++ 12
// report a (false) maybe-uninitialized string in sanitizer builds.
Expected<sdk::Value> scaled(const PointConfig& p, double raw) {
    return Expected<sdk::Value>(std::in_place, raw * p.scale + p.offset);
}

std::unexpected<Error> out_of_range(std::string message) {
    return make_error("modbus.out_of_range", std::move(message));
}

std::string format_number(double v) {
    std::string s = std::to_string(v);
    if (s.find('.') != std::string::npos) {
        while (!s.empty() && s.back() == '0') s.pop_back();
        if (!s.empty() && s.back() == '.') s.pop_back();
    }
    return s;
}

// Integer limits of each type as doubles; the upper bound is exclusive so 2^63 and 2^64 (which
// are exact doubles) are rejected correctly.
struct IntRange {
    double low;
    double high_exclusive;
    std::int64_t low_exact;
    std::uint64_t high_exact;
    bool is_signed;
};

IntRange int_range(ValueType t) {
    switch (t) {
        case ValueType::int16:
            return {-32768.0, 32768.0, -32768, 32767, true};
        case ValueType::uint16:
            return {0.0, 65536.0, 0, 65535, false};
        case ValueType::int32:
            return {-2147483648.0, 2147483648.0, INT32_MIN, INT32_MAX, true};
        case ValueType::uint32:
            return {0.0, 4294967296.0, 0, UINT32_MAX, false};
        case ValueType::int64:
            return {-9223372036854775808.0, 9223372036854775808.0, INT64_MIN, INT64_MAX, true};
        default:
            return {0.0, 18446744073709551616.0, 0, UINT64_MAX, false};
    }
}

// The raw bits for an integer engineering value written to a point without scaling: exact, so
// 64-bit counters do not lose precision through a double.
Expected<std::uint64_t> exact_integer_bits(const PointConfig& p, std::int64_t v) {
    const IntRange r = int_range(p.type);
    const bool fits = r.is_signed ? v >= r.low_exact && v <= static_cast<std::int64_t>(r.high_exact)
                                  : v >= 0 && static_cast<std::uint64_t>(v) <= r.high_exact;
    if (!fits) {
        return out_of_range("value " + std::to_string(v) + " does not fit " +
                            std::string(to_string(p.type)));
    }
    return static_cast<std::uint64_t>(v);
}

Expected<std::uint64_t> numeric_bits(const PointConfig& p, const sdk::Value& value) {
    const bool is_int = std::holds_alternative<std::int64_t>(value);
    const bool is_real = std::holds_alternative<double>(value);
    if (!is_int && !is_real) {
        return make_error(
            "modbus.type_mismatch",
            "point \"" + p.name + "\" (" + std::string(to_string(p.type)) + ") needs a number");
    }
    const double eng =
        is_int ? static_cast<double>(std::get<std::int64_t>(value)) : std::get<double>(value);
    if (!std::isfinite(eng)) return out_of_range("value is not a finite number");
    if (p.min && eng < *p.min) {
        return out_of_range("value " + format_number(eng) + " is below min " +
                            format_number(*p.min));
    }
    if (p.max && eng > *p.max) {
        return out_of_range("value " + format_number(eng) + " is above max " +
                            format_number(*p.max));
    }
    if (p.is_exact_integer() && is_int) return exact_integer_bits(p, std::get<std::int64_t>(value));

    const double raw = (eng - p.offset) / p.scale;
    switch (p.type) {
        case ValueType::float32: {
            if (!std::isfinite(raw) || std::fabs(raw) > std::numeric_limits<float>::max()) {
                return out_of_range("value " + format_number(eng) + " does not fit float32");
            }
            return std::bit_cast<std::uint32_t>(static_cast<float>(raw));
        }
        case ValueType::float64:
            if (!std::isfinite(raw)) return out_of_range("value does not fit float64");
            return std::bit_cast<std::uint64_t>(raw);
        default:
            break;
    }
    const IntRange r = int_range(p.type);
    const double rounded = std::round(raw);
    if (!(rounded >= r.low && rounded < r.high_exclusive)) {
        return out_of_range("value " + format_number(eng) + " is " + format_number(raw) +
                            " raw, outside the range of " + std::string(to_string(p.type)));
    }
    if (r.is_signed) return static_cast<std::uint64_t>(static_cast<std::int64_t>(rounded));
    return static_cast<std::uint64_t>(rounded);
}

Expected<bool> bool_value(const PointConfig& p, const sdk::Value& value) {
    if (const bool* b = std::get_if<bool>(&value)) return *b;
    if (const std::int64_t* i = std::get_if<std::int64_t>(&value);
        i != nullptr && (*i == 0 || *i == 1)) {
        return *i == 1;
    }
    return make_error("modbus.type_mismatch", "point \"" + p.name + "\" needs true or false");
}

}  // namespace

Expected<sdk::Value> decode_registers(const PointConfig& p, std::span<const std::uint16_t> regs) {
    if (regs.size() != p.width()) {
        return make_error("modbus.malformed", "point \"" + p.name + "\" needs " +
                                                  std::to_string(p.width()) + " registers, got " +
                                                  std::to_string(regs.size()));
    }
    if (p.type == ValueType::string)
        return Expected<sdk::Value>(std::in_place, decode_string(p, regs));
    const std::uint64_t raw = assemble(p, regs);
    std::int64_t integer = 0;
    switch (p.type) {
        case ValueType::boolean:
            return Expected<sdk::Value>(std::in_place, raw != 0);
        case ValueType::int16:
            integer = static_cast<std::int16_t>(raw);
            break;
        case ValueType::uint16:
            integer = static_cast<std::int64_t>(raw);
            break;
        case ValueType::int32:
            integer = static_cast<std::int32_t>(static_cast<std::uint32_t>(raw));
            break;
        case ValueType::uint32:
            integer = static_cast<std::int64_t>(raw);
            break;
        case ValueType::int64:
            integer = static_cast<std::int64_t>(raw);
            break;
        case ValueType::uint64:
            if (raw > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
                return scaled(p, static_cast<double>(raw));
            }
            integer = static_cast<std::int64_t>(raw);
            break;
        case ValueType::float32:
        case ValueType::float64: {
            const double f =
                p.type == ValueType::float32
                    ? static_cast<double>(std::bit_cast<float>(static_cast<std::uint32_t>(raw)))
                    : std::bit_cast<double>(raw);
            if (!std::isfinite(f)) {
                return make_error("modbus.non_finite", "point \"" + p.name +
                                                           "\" holds a NaN or infinite " +
                                                           std::string(to_string(p.type)));
            }
            return scaled(p, f);
        }
        case ValueType::string:
            break;
    }
    if (p.is_exact_integer()) return Expected<sdk::Value>(std::in_place, integer);
    return scaled(p, static_cast<double>(integer));
}

sdk::Value decode_bit(bool bit) { return sdk::Value(bit); }

sdk::ValueKind value_kind(const PointConfig& p) {
    if (p.type == ValueType::boolean) return sdk::ValueKind::boolean;
    if (p.type == ValueType::string) return sdk::ValueKind::string;
    return p.is_exact_integer() ? sdk::ValueKind::integer : sdk::ValueKind::real;
}

sdk::Value zero_value(const PointConfig& p) {
    switch (value_kind(p)) {
        case sdk::ValueKind::boolean:
            return sdk::Value(false);
        case sdk::ValueKind::integer:
            return sdk::Value(std::int64_t{0});
        case sdk::ValueKind::string:
            return sdk::Value(std::string());
        case sdk::ValueKind::real:
            break;
    }
    return sdk::Value(0.0);
}

Expected<std::vector<std::uint16_t>> encode_registers(const PointConfig& p,
                                                      const sdk::Value& value) {
    if (p.type == ValueType::boolean) {
        auto b = bool_value(p, value);
        if (!b) return std::unexpected(b.error());
        return std::vector<std::uint16_t>{static_cast<std::uint16_t>(*b ? 1 : 0)};
    }
    if (p.type == ValueType::string) {
        const std::string* s = std::get_if<std::string>(&value);
        if (s == nullptr) {
            return make_error("modbus.type_mismatch", "point \"" + p.name + "\" needs a string");
        }
        if (s->size() > p.length * 2U) {
            return out_of_range("string of " + std::to_string(s->size()) + " bytes does not fit " +
                                std::to_string(p.length) + " registers (" +
                                std::to_string(p.length * 2U) + " bytes)");
        }
        std::vector<std::uint16_t> regs(p.length, 0);
        for (std::size_t i = 0; i < s->size(); ++i) {
            const auto byte = static_cast<std::uint16_t>(static_cast<unsigned char>((*s)[i]));
            regs[i / 2] = static_cast<std::uint16_t>(regs[i / 2] | (i % 2 == 0 ? byte << 8 : byte));
        }
        if (p.byte_order == Order::little) {
            for (auto& r : regs) r = swap_bytes(r);
        }
        return regs;
    }
    auto bits = numeric_bits(p, value);
    if (!bits) return std::unexpected(bits.error());
    return disassemble(p, *bits, p.width());
}

Expected<Request> write_request(const PointConfig& p, const sdk::Value& value) {
    if (!p.writable) {
        return make_error("modbus.not_writable", "point \"" + p.name + "\" is not writable");
    }
    Request req;
    req.address = p.address;
    if (p.table == Table::coil) {
        auto b = bool_value(p, value);
        if (!b) return std::unexpected(b.error());
        req.function = FunctionCode::write_single_coil;
        req.bits = {*b};
        return req;
    }
    auto regs = encode_registers(p, value);
    if (!regs) return std::unexpected(regs.error());
    req.function = regs->size() == 1 ? FunctionCode::write_single_register
                                     : FunctionCode::write_multiple_registers;
    req.registers = std::move(*regs);
    return req;
}

}  // namespace lintel::modbus

// Telemetry message encoding. Hand-written rather than through nlohmann-json: building an
// ordered_json per point capped encoding at ~750k points/s on this box, a third of the drain
// budget (docs/payloads.md has the figures). For valid input the output parses to exactly what
// nlohmann's dump() gives (the unit tests compare both); invalid UTF-8 is replaced by U+FFFD.
#include "payload.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <type_traits>
#include <variant>

#include "common/utf8.hpp"

namespace lintel::uplink {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

void append_string(std::string& out, std::string_view s) {
    static constexpr char kHex[] = "0123456789abcdef";
    out += '"';
    std::size_t run = 0;  // start of bytes copied as they are
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
            ++i;
            continue;
        }
        out.append(s.data() + run, i - run);
        if (c >= 0x80) {
            const std::size_t n = common::utf8_sequence_length(s, i);
            if (n == 0) {
                out += kReplacement;
                ++i;
            } else {
                out.append(s.data() + i, n);
                i += n;
            }
        } else {
            switch (c) {
                case '"':
                    out += "\\\"";
                    break;
                case '\\':
                    out += "\\\\";
                    break;
                case '\b':
                    out += "\\b";
                    break;
                case '\f':
                    out += "\\f";
                    break;
                case '\n':
                    out += "\\n";
                    break;
                case '\r':
                    out += "\\r";
                    break;
                case '\t':
                    out += "\\t";
                    break;
                default:
                    out += "\\u00";
                    out += kHex[c >> 4];
                    out += kHex[c & 0xF];
            }
            ++i;
        }
        run = i;
    }
    out.append(s.data() + run, s.size() - run);
    out += '"';
}

template <typename T>
void append_number(std::string& out, T value) {
    std::array<char, 32> buf{};
    const auto r = std::to_chars(buf.data(), buf.data() + buf.size(), value);
    out.append(buf.data(), r.ptr);
}

// Shortest round-trip form. An integral double keeps ".0" (as nlohmann writes it) so the cloud
// still sees a real number; exponents look like "1e+20", "1e-07".
void append_double(std::string& out, double value) {
    std::array<char, 40> buf{};
    const auto r = std::to_chars(buf.data(), buf.data() + buf.size(), value);
    const std::string_view text(buf.data(), static_cast<std::size_t>(r.ptr - buf.data()));
    out += text;
    if (text.find_first_of(".e") == std::string_view::npos) out += ".0";
}

void append_point(std::string& out, const sdk::PointValue& point) {
    out += "{\"device\":";
    append_string(out, point.device);
    out += ",\"point\":";
    append_string(out, point.point);
    out += ",\"value\":";
    bool non_finite = false;
    std::visit(
        [&](const auto& v) {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, bool>) {
                out += v ? "true" : "false";
            } else if constexpr (std::is_same_v<T, std::int64_t>) {
                append_number(out, v);
            } else if constexpr (std::is_same_v<T, double>) {
                if (std::isfinite(v)) {
                    append_double(out, v);
                } else {
                    out += "null";  // NaN and Inf are not JSON
                    non_finite = true;
                }
            } else {
                append_string(out, v);
            }
        },
        point.value);
    out += ",\"ts\":";
    append_number(out, point.ts_ms);
    if (!point.unit.empty()) {
        out += ",\"unit\":";
        append_string(out, point.unit);
    }
    out += ",\"quality\":\"";
    out += sdk::to_string(non_finite ? sdk::Quality::error : point.quality);
    out += "\"}";
}

}  // namespace

std::string encode_point(const sdk::PointValue& point) {
    std::string out;
    out.reserve(96 + point.device.size() + point.point.size() + point.unit.size());
    append_point(out, point);
    return out;
}

std::size_t encoded_point_size(const sdk::PointValue& point) { return encode_point(point).size(); }

std::size_t telemetry_envelope_size(std::string_view gateway_id, std::uint64_t seq) {
    return TelemetryBuilder(gateway_id, seq).size();
}

TelemetryBuilder::TelemetryBuilder(std::string_view gateway_id, std::uint64_t seq,
                                   std::size_t reserve) {
    out_.reserve(reserve);
    out_ += "{\"gateway\":";
    append_string(out_, gateway_id);
    out_ += ",\"seq\":";
    out_ += std::to_string(seq);
    out_ += ",\"points\":[";
}

void TelemetryBuilder::add_encoded(std::string_view encoded) {
    if (points_ > 0) out_ += ',';
    out_ += encoded;
    ++points_;
}

void TelemetryBuilder::add(const sdk::PointValue& point) {
    if (points_ > 0) out_ += ',';
    append_point(out_, point);
    ++points_;
}

bool TelemetryBuilder::try_add(const sdk::PointValue& point, std::size_t max_bytes) {
    const std::size_t before = out_.size();
    add(point);
    if (size() <= max_bytes) return true;
    out_.resize(
        before);  // never shrinks capacity: the next message reuses nothing, but no realloc here
    --points_;
    return false;
}

std::string TelemetryBuilder::finish() && {
    out_ += "]}";
    return std::move(out_);
}

std::string encode_telemetry(std::string_view gateway_id, std::uint64_t seq,
                             std::span<const sdk::PointValue> points) {
    TelemetryBuilder builder(gateway_id, seq);
    for (const auto& p : points) builder.add(p);
    return std::move(builder).finish();
}

}  // namespace lintel::uplink

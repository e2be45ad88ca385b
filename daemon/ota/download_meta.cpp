// .part.meta: serialise and strict parse (no asio: the fuzzer builds it).
#include "ota/download_meta.hpp"

#include <algorithm>

#include "ota/reason_codes.hpp"

namespace lintel::ota {
namespace {

constexpr std::string_view k_magic = "lintel-ota-part 1";
constexpr std::size_t k_max_meta = 4096;

std::unexpected<Error> bad_meta(const std::string& why) {
    return make_error(std::string(reason::download_failed), "unusable .part.meta: " + why);
}

bool parse_u64(std::string_view text, std::uint64_t& out) {
    if (text.empty() || text.size() > 20 || (text.size() > 1 && text.front() == '0')) return false;
    std::uint64_t value = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return false;
        const auto digit = static_cast<std::uint64_t>(c - '0');
        if (value > (UINT64_MAX - digit) / 10) return false;
        value = value * 10 + digit;
    }
    out = value;
    return true;
}

bool printable(std::string_view text) {
    return std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
}

}  // namespace

std::string serialise_part_meta(const PartMeta& meta) {
    std::string out(k_magic);
    out += "\nresource " + meta.resource;
    out += "\nsize " + std::to_string(meta.size);
    if (!meta.etag.empty()) out += "\netag " + meta.etag;
    if (!meta.last_modified.empty()) out += "\nlast-modified " + meta.last_modified;
    out += "\ncommitted " + std::to_string(meta.committed);
    out += "\n";
    return out;
}

Expected<PartMeta> parse_part_meta(std::string_view text) {
    if (text.size() > k_max_meta) return bad_meta("longer than 4 KiB");
    if (text.empty() || text.back() != '\n') return bad_meta("does not end with a newline");
    text.remove_suffix(1);
    PartMeta meta;
    bool seen_magic = false, seen_resource = false, seen_size = false, seen_committed = false;
    bool seen_etag = false, seen_last_modified = false;
    while (true) {
        const auto end = text.find('\n');
        const std::string_view line = text.substr(0, end);
        if (!printable(line)) return bad_meta("a line holds a control character");
        if (!seen_magic) {
            if (line != k_magic) return bad_meta("not a lintel .part.meta (version 1)");
            seen_magic = true;
        } else {
            const auto space = line.find(' ');
            if (space == std::string_view::npos || space + 1 == line.size())
                return bad_meta("a line has no value");
            const std::string_view key = line.substr(0, space);
            const std::string_view value = line.substr(space + 1);
            auto once = [&](bool& seen) {
                if (seen) return false;
                seen = true;
                return true;
            };
            if (key == "resource") {
                if (!once(seen_resource)) return bad_meta("resource twice");
                meta.resource = std::string(value);
            } else if (key == "size") {
                if (!once(seen_size) || !parse_u64(value, meta.size)) return bad_meta("bad size");
            } else if (key == "committed") {
                if (!once(seen_committed) || !parse_u64(value, meta.committed))
                    return bad_meta("bad committed");
            } else if (key == "etag") {
                if (!once(seen_etag)) return bad_meta("etag twice");
                meta.etag = std::string(value);
            } else if (key == "last-modified") {
                if (!once(seen_last_modified)) return bad_meta("last-modified twice");
                meta.last_modified = std::string(value);
            } else {
                return bad_meta("unknown key");
            }
        }
        if (end == std::string_view::npos) break;
        text.remove_prefix(end + 1);
    }
    if (!seen_resource || !seen_size || !seen_committed)
        return bad_meta("a required key is missing");
    if (meta.committed > meta.size) return bad_meta("committed is larger than size");
    return meta;
}

}  // namespace lintel::ota

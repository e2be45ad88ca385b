// SQLite write-ahead log scanner (file format: sqlite.org/fileformat2.html, "The WAL file").
#include "wal_scan.hpp"

#include <fstream>
#include <iterator>
#include <vector>

namespace lintel::store {
namespace {

constexpr std::size_t k_header = 32;
constexpr std::size_t k_frame_header = 24;
constexpr std::uint32_t k_magic_le = 0x377f0682;  // checksums over little-endian words
constexpr std::uint32_t k_magic_be = 0x377f0683;  // ... over big-endian words

std::uint32_t be32(const unsigned char* p) {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
           std::uint32_t{p[3]};
}
std::uint32_t le32(const unsigned char* p) {
    return (std::uint32_t{p[3]} << 24) | (std::uint32_t{p[2]} << 16) | (std::uint32_t{p[1]} << 8) |
           std::uint32_t{p[0]};
}

// SQLite's running checksum over 8-byte steps of `n` bytes (n is a multiple of 8).
void checksum(const unsigned char* p, std::size_t n, bool big_endian, std::uint32_t& s0,
              std::uint32_t& s1) {
    for (std::size_t i = 0; i + 8 <= n; i += 8) {
        const auto a = big_endian ? be32(p + i) : le32(p + i);
        const auto b = big_endian ? be32(p + i + 4) : le32(p + i + 4);
        s0 += a + s1;
        s1 += b + s0;
    }
}

bool valid_page_size(std::uint32_t size) {
    return size >= 512 && size <= 65536 && (size & (size - 1)) == 0;
}

}  // namespace

WalScan scan_wal(std::span<const unsigned char> bytes) {
    WalScan scan;
    if (bytes.size() < k_header) return scan;
    const unsigned char* h = bytes.data();
    const auto magic = be32(h);
    const auto page_size = be32(h + 8);
    if ((magic != k_magic_le && magic != k_magic_be) || !valid_page_size(page_size)) return scan;
    const bool big_endian = magic == k_magic_be;
    std::uint32_t s0 = 0;
    std::uint32_t s1 = 0;
    checksum(h, 24, big_endian, s0, s1);
    if (s0 != be32(h + 24) || s1 != be32(h + 28)) return scan;
    scan.header_valid = true;
    const auto salt1 = be32(h + 16);
    const auto salt2 = be32(h + 20);

    const std::size_t frame_size = k_frame_header + page_size;
    scan.frames = (bytes.size() - k_header) / frame_size;
    bool broken = false;
    std::uint64_t frames_since_commit = 0;
    for (std::uint64_t i = 0; i < scan.frames; ++i) {
        const unsigned char* f = h + k_header + i * frame_size;
        const bool current = be32(f + 8) == salt1 && be32(f + 12) == salt2;
        const bool commit = be32(f + 4) != 0;
        if (!broken) {
            std::uint32_t c0 = s0;
            std::uint32_t c1 = s1;
            checksum(f, 8, big_endian, c0, c1);
            checksum(f + k_frame_header, page_size, big_endian, c0, c1);
            if (current && c0 == be32(f + 16) && c1 == be32(f + 20)) {
                s0 = c0;
                s1 = c1;
                ++frames_since_commit;
                if (commit) {
                    scan.valid_frames += frames_since_commit;
                    frames_since_commit = 0;
                    ++scan.valid_commits;
                }
                continue;
            }
            broken = true;
        }
        // Past the break SQLite replays nothing; a commit of this generation there was lost.
        if (current && commit) ++scan.lost_commits;
    }
    return scan;
}

Expected<WalScan> scan_wal_file(const std::filesystem::path& wal) {
    std::error_code ec;
    if (!std::filesystem::exists(wal, ec)) return WalScan{};
    std::ifstream in(wal, std::ios::binary);
    if (!in) return make_error("store.io", "cannot read " + wal.string());
    std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(in)),
                                     std::istreambuf_iterator<char>());
    if (in.bad()) return make_error("store.io", "cannot read " + wal.string());
    return scan_wal(bytes);
}

}  // namespace lintel::store

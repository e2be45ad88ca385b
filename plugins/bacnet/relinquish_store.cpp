// Persistence of timed relinquishes (see relinquish_store.hpp).
#include "relinquish_store.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>
#include <system_error>

#include "common/atomic_file.hpp"

namespace lintel::bacnet {
namespace {

constexpr std::string_view kVersionLine = "lintel-bacnet-relinquish 1";

// Names go on one line: a control character (a newline in a quoted YAML name) becomes '?'.
std::string one_line(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        if (static_cast<unsigned char>(c) < 0x20) c = '?';
    }
    return out;
}

template <typename T>
bool number(std::string_view text, T& out) {
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, out);
    return ec == std::errc() && ptr == end;
}

// Splits off the next space-separated word of `rest`.
std::string_view word(std::string_view& rest) {
    const auto space = rest.find(' ');
    const std::string_view w = rest.substr(0, space);
    rest = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
    return w;
}

std::optional<TimedRelinquish> entry_of(std::string_view rest, std::string& why) {
    TimedRelinquish e;
    std::uint16_t type = 0;
    std::uint32_t instance = 0;
    unsigned priority = 0;
    if (!number(word(rest), e.due_unix_ms) || !number(word(rest), type) ||
        !number(word(rest), instance) || !number(word(rest), priority)) {
        why = "expected: relinquish <due-ms> <object-type> <instance> <priority> <point>";
        return std::nullopt;
    }
    if (type > kMaxObjectType || instance >= kMaxInstance || priority < 1 || priority > 16) {
        why = "object type, instance or priority out of range";
        return std::nullopt;
    }
    if (rest.empty()) {
        why = "no point name";
        return std::nullopt;
    }
    e.object = ObjectId{static_cast<ObjectType>(type), instance};
    e.priority = static_cast<std::uint8_t>(priority);
    e.point = std::string(rest);
    return e;
}

}  // namespace

std::string encode_relinquish_file(std::string_view device_key,
                                   std::span<const TimedRelinquish> entries) {
    std::ostringstream out;
    out << kVersionLine << "\n";
    out << "device " << one_line(device_key) << "\n";
    for (const auto& e : entries) {
        out << "relinquish " << e.due_unix_ms << " " << static_cast<unsigned>(e.object.type) << " "
            << e.object.instance << " " << static_cast<unsigned>(e.priority) << " "
            << one_line(e.point) << "\n";
    }
    return out.str();
}

RelinquishFile decode_relinquish_file(std::string_view text) {
    RelinquishFile file;
    std::size_t line_number = 0;
    while (!text.empty()) {
        const auto nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
        ++line_number;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.empty()) continue;
        auto problem = [&](const std::string& why) {
            file.problems.push_back("line " + std::to_string(line_number) + ": " + why);
        };
        if (line_number == 1) {
            if (line != kVersionLine) {
                problem("not a lintel relinquish file (first line \"" + std::string(kVersionLine) +
                        "\" expected); nothing read");
                return file;
            }
            continue;
        }
        std::string_view rest = line;
        const std::string_view keyword = word(rest);
        if (keyword == "device") {
            file.device_key = std::string(rest);
        } else if (keyword == "relinquish") {
            std::string why;
            if (auto e = entry_of(rest, why)) {
                file.entries.push_back(std::move(*e));
            } else {
                problem(why);
            }
        } else {
            problem("unknown line kind \"" + std::string(keyword.substr(0, 32)) + "\"");
        }
    }
    return file;
}

std::filesystem::path relinquish_file_for(const std::filesystem::path& state_dir,
                                          std::string_view device_name) {
    return state_dir / (std::string(device_name) + ".relinquish");
}

Expected<RelinquishFile> load_relinquish_file(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        if (errno == ENOENT) return RelinquishFile{};
        return make_error("bacnet.state",
                          "cannot read " + file.string() + ": " + std::strerror(errno));
    }
    std::ostringstream text;
    text << in.rdbuf();
    return decode_relinquish_file(text.str());
}

Expected<void> save_relinquish_file(const std::filesystem::path& file, std::string_view device_key,
                                    std::span<const TimedRelinquish> entries) {
    if (entries.empty()) {
        auto removed = common::remove_file_durably(file);
        if (!removed) return make_error("bacnet.state", removed.error().message);
        return {};
    }
    const auto dir = file.parent_path();
    if (::mkdir(dir.c_str(), 0750) != 0 && errno != EEXIST) {
        return make_error("bacnet.state", "cannot create the state directory " + dir.string() +
                                              ": " + std::strerror(errno));
    }
    auto written =
        common::write_file_atomically(file, encode_relinquish_file(device_key, entries), 0640);
    if (!written) return make_error("bacnet.state", written.error().message);
    return {};
}

}  // namespace lintel::bacnet

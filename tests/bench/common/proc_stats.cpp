// Benchmarks: process figures read from /proc.
#include "proc_stats.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <utility>
#include <vector>

namespace lintel::bench {

double cpu_seconds_of(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat((std::istreambuf_iterator<char>(in)), {});
    const auto close = stat.rfind(')');
    if (close == std::string::npos) return 0;
    std::istringstream rest(stat.substr(close + 2));
    std::string field;
    unsigned long long utime = 0, stime = 0;
    for (int i = 3; i <= 15 && rest >> field; ++i) {
        if (i == 14) utime = std::stoull(field);
        if (i == 15) stime = std::stoull(field);
    }
    return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

double cpu_seconds_this_thread() {
    rusage ru{};
    getrusage(RUSAGE_THREAD, &ru);
    return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

long status_kib_of(pid_t pid, const char* key) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind(key, 0) == 0) return std::stol(line.substr(std::strlen(key)));
    }
    return 0;
}

int open_fds_of(pid_t pid) {
    std::error_code ec;
    int n = 0;
    for (std::filesystem::directory_iterator it("/proc/" + std::to_string(pid) + "/fd", ec), end;
         !ec && it != end; it.increment(ec)) {
        ++n;
    }
    return n;
}

long private_kib_of(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/smaps_rollup");
    std::string line;
    long kib = 0;
    while (std::getline(in, line)) {
        if (line.rfind("Private_Clean:", 0) == 0) kib += std::stol(line.substr(14));
        if (line.rfind("Private_Dirty:", 0) == 0) kib += std::stol(line.substr(14));
    }
    return kib;
}

std::string rss_breakdown(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/smaps");
    std::map<std::string, long> by_name;
    std::string line, name;
    while (std::getline(in, line)) {
        if (!line.empty() && std::isxdigit(static_cast<unsigned char>(line[0])) &&
            line.find('-') < 20) {
            const auto slash = line.find_first_of("/[");
            name = slash == std::string::npos ? "[anon]" : line.substr(slash);
        } else if (line.rfind("Rss:", 0) == 0) {
            by_name[name] += std::stol(line.substr(4));
        }
    }
    std::vector<std::pair<long, std::string>> sorted;
    for (const auto& [n, kib] : by_name) sorted.emplace_back(kib, n);
    std::sort(sorted.rbegin(), sorted.rend());
    std::string out;
    for (std::size_t i = 0; i < sorted.size() && i < 8; ++i) {
        out += "    " + std::to_string(sorted[i].first) + " KiB  " + sorted[i].second + "\n";
    }
    return out;
}

std::string load_average() {
    std::ifstream f("/proc/loadavg");
    std::string a, b, c;
    f >> a >> b >> c;
    return a + " " + b + " " + c;
}

}  // namespace lintel::bench

// Test support: TempDir and whole-file helpers.
#include "support/files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace lintel::test {

TempDir::TempDir(std::string_view prefix) {
    const char* tmp = std::getenv("TMPDIR");
    std::filesystem::path base = (tmp != nullptr && *tmp != '\0') ? tmp : "/tmp";
    std::string templ = (base / (std::string(prefix) + "-XXXXXX")).string();
    std::vector<char> buf(templ.begin(), templ.end());
    buf.push_back('\0');
    if (mkdtemp(buf.data()) == nullptr)
        throw std::runtime_error("TempDir: mkdtemp(" + templ + "): " + std::strerror(errno));
    path_ = buf.data();
    keep_ = std::getenv("LINTEL_KEEP_TEST_DIRS") != nullptr;
}

TempDir::TempDir(TempDir&& other) noexcept : path_(std::move(other.path_)), keep_(other.keep_) {
    other.path_.clear();
}

TempDir::~TempDir() {
    if (path_.empty() || keep_) return;
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

Expected<std::string> read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return make_error("test.io", "cannot open " + path.string());
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

Expected<void> write_file(const std::filesystem::path& path, std::string_view text, mode_t mode) {
    int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0)
        return make_error("test.io",
                          "cannot create " + path.string() + ": " + std::strerror(errno));
    if (fchmod(fd, mode) != 0) {
        close(fd);
        return make_error("test.io", "cannot chmod " + path.string() + ": " + std::strerror(errno));
    }
    std::size_t done = 0;
    while (done < text.size()) {
        ssize_t n = write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            close(fd);
            return make_error("test.io",
                              "cannot write " + path.string() + ": " + std::strerror(errno));
        }
        done += static_cast<std::size_t>(n);
    }
    close(fd);
    return {};
}

mode_t mode_of(const std::filesystem::path& path) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) return 0;
    return st.st_mode & 07777;
}

std::set<std::string> entries(const std::filesystem::path& dir) {
    std::set<std::string> out;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
        out.insert(e.path().filename().string());
    }
    return out;
}

}  // namespace lintel::test

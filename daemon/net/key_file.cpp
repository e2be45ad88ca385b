// check_secret_file_mode (see key_file.hpp).
#include "net/key_file.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "common/file_mode.hpp"

namespace lintel::net {

Expected<void> check_secret_file_mode(const std::filesystem::path& file, std::string_view what,
                                      std::string_view code) {
    struct stat st {};
    if (stat(file.c_str(), &st) != 0)
        return make_error(std::string(code), "cannot read " + std::string(what) + " " +
                                                 file.string() + ": " + std::strerror(errno));
    if ((st.st_mode & 077) != 0) {
        return make_error(std::string(code),
                          std::string(what) + " " + file.string() + " has mode " +
                              common::octal_mode(st.st_mode) +
                              ": it must not be readable by group or others (chmod 0600)");
    }
    return {};
}

Expected<std::string> read_secret_file(const std::filesystem::path& file, std::string_view what,
                                       std::string_view code) {
    if (auto mode = check_secret_file_mode(file, what, code); !mode)
        return std::unexpected(mode.error());
    std::ifstream in(file, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    if (!in)
        return make_error(std::string(code),
                          "cannot read " + std::string(what) + " " + file.string());
    std::string secret = text.str();
    while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
    return secret;
}

}  // namespace lintel::net

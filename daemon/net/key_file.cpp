// check_secret_file_mode (see key_file.hpp).
#include "net/key_file.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
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

}  // namespace lintel::net

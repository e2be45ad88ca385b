// Reading and writing key and certificate files: bounded sizes, private key modes checked,
// secrets wiped after use, new files created exclusively.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "lintel/error.hpp"

namespace lintel::commands {

// Key and certificate files are small; a bound stops /dev/zero or a wrong path from eating RAM.
inline constexpr std::size_t k_max_key_file_bytes = 1024 * 1024;

// The contents of a private key file; zeroed when destroyed. Move-only.
class SecretText {
public:
    SecretText() = default;
    SecretText(SecretText&& other) noexcept;
    SecretText& operator=(SecretText&& other) noexcept;
    SecretText(const SecretText&) = delete;
    SecretText& operator=(const SecretText&) = delete;
    ~SecretText();

    std::string_view view() const { return {buffer_.data(), size_}; }

private:
    friend Expected<SecretText> read_private_file(const std::filesystem::path& path,
                                                  std::string_view what);
    void wipe();
    std::vector<char> buffer_;
    std::size_t size_ = 0;
};

// A certificate or public key file; `what` ("certificate", "public key") names it in errors.
Expected<std::string> read_public_file(const std::filesystem::path& path, std::string_view what);

// A private key file (or another secret: `what` names it in messages, "password file"). Refused
// (commands.key_insecure) when group or others have any access: the message names the path, the
// mode, and the chmod that fixes it. Symlinks are followed (deployments link keys into place);
// the mode checked is that of the file actually opened.
Expected<SecretText> read_private_file(const std::filesystem::path& path,
                                       std::string_view what = "private key");

// Creates `path` with exactly `mode` (umask notwithstanding) and writes `data`; refuses
// (commands.file_exists) if anything exists there, symlinks included. A partial file is
// removed on failure.
Expected<void> write_new_file(const std::filesystem::path& path, std::string_view data,
                              mode_t mode);

}  // namespace lintel::commands

// Test support for signed commands: keys and certificates made by the openssl CLI, so that
// what lintel produces is checked against an independent implementation, and a process runner.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "commands/keys.hpp"
#include "lintel/error.hpp"

namespace lintel::commands::test {

struct RunResult {
    int code = -1;  // exit code; -1 when killed by a signal or not run
    std::string out;
    std::string err;
};

// Runs argv (no shell) in `dir` with stdin from `stdin_file` (or /dev/null), waits up to 60 s.
Expected<RunResult> run(const std::vector<std::string>& argv, const std::filesystem::path& dir,
                        const std::optional<std::filesystem::path>& stdin_file = std::nullopt);

// Key specs understood below: "ed25519", "p256", "p384", "rsa2048", "rsa1024".
// A private key at dir/name.key (mode 0600), made by `openssl genpkey`.
Expected<std::filesystem::path> make_private_key(const std::filesystem::path& dir,
                                                 std::string_view name, std::string_view spec);
// dir/name.pub: the public half of `key` (`openssl pkey -pubout`).
Expected<std::filesystem::path> public_pem_of(const std::filesystem::path& dir,
                                              std::string_view name,
                                              const std::filesystem::path& key);

struct CertFiles {
    std::filesystem::path cert;
    std::filesystem::path key;  // mode 0600
};
// A self-signed certificate (`openssl req -x509`) with subject CN=`cn`, valid for a day.
Expected<CertFiles> make_self_signed(const std::filesystem::path& dir, std::string_view name,
                                     std::string_view spec, std::string_view cn);

// openssl's own SHA-256 of the DER SubjectPublicKeyInfo of a private key file, lower-case hex.
Expected<std::string> openssl_fingerprint(const std::filesystem::path& dir,
                                          const std::filesystem::path& key);

// A freshly generated key, or a test failure.
PrivateKey generated(KeyType type);

// `jws` with the character at `index` replaced by a different base64url character.
std::string with_char_changed(std::string jws, std::size_t index);

}  // namespace lintel::commands::test

// lintel-sign keygen: a new signing key pair for an operator or a cloud service.
#pragma once

#include <filesystem>
#include <string>

#include "lintel/error.hpp"

namespace lintel::sign {

struct KeygenOptions {
    std::string alg;            // "ed25519" or "p256"
    std::filesystem::path out;  // private key; the public key goes to out + ".pub"
};

// Writes the private key (PKCS #8 PEM, 0600) and the public key (PEM, 0644); refuses to
// overwrite either. Returns what to print: the files and the public key's fingerprint.
Expected<std::string> keygen(const KeygenOptions& options);

}  // namespace lintel::sign

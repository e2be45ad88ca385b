// Internal to daemon/pkcs11: a thin session on a token through the module's own PKCS#11
// function list (precise errors, key generation, attribute checks). Only token_session.cpp
// includes the PKCS#11 header.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "commands/key_files.hpp"
#include "lintel/error.hpp"
#include "pkcs11/pkcs11.hpp"
#include "pkcs11/uri.hpp"

namespace lintel::pkcs11 {

// The PIN file's content without its line end; wiped when destroyed. pkcs11.pin_file if the
// file is missing, readable by others, or empty.
Expected<commands::SecretText> read_pin(const std::filesystem::path& pin_file);
std::string_view pin_text(const commands::SecretText& pin);

class TokenSession {
public:
    // Loads the module (once per process), finds the one token matching `uri` and logs in with
    // `pin` as the user.
    static Expected<TokenSession> open(const Uri& uri, const TokenSettings& settings,
                                       std::string_view pin);
    TokenSession(TokenSession&&) noexcept;
    TokenSession& operator=(TokenSession&&) = delete;
    ~TokenSession();

    // The one private key matching the URI's object/id: pkcs11.no_key or pkcs11.ambiguous.
    Expected<unsigned long> find_private_key(const Uri& uri);
    Expected<KeyProtection> protection(unsigned long key);
    // Returns the new key's CKA_ID.
    Expected<std::string> generate_p256(std::string_view label);

private:
    struct State;
    explicit TokenSession(std::unique_ptr<State> state);
    std::unique_ptr<State> state_;
};

}  // namespace lintel::pkcs11

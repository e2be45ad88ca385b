// The token-backed key source: generate in the token, keep the URI in the identity directory.
#include "identity/token_key_source.hpp"

#include <openssl/evp.h>

#include "commands/key_files.hpp"
#include "commands/random.hpp"
#include "identity/reason_codes.hpp"
#include "pkcs11/uri.hpp"

namespace lintel::identity {
namespace {

std::unexpected<Error> key_failed(const Error& e) {
    return make_error(std::string(reason::key_failed), e.code + ": " + e.message);
}

class TokenKeySource final : public KeySource {
public:
    TokenKeySource(std::string token_uri, pkcs11::TokenSettings token)
        : token_uri_(std::move(token_uri)), token_(std::move(token)) {}

    Expected<void> generate(const std::filesystem::path& where) override {
        std::error_code ec;
        if (std::filesystem::symlink_status(where, ec).type() !=
            std::filesystem::file_type::not_found) {
            return make_error(
                std::string(reason::key_failed),
                where.string() + " exists already; a new key is never written over one");
        }
        // A label of its own per key: a renewal that failed half-way leaves a key in the token
        // that no later generation may be mistaken for.
        auto suffix = commands::random_hex(8);
        if (!suffix) return key_failed(suffix.error());
        auto uri = pkcs11::generate_p256_key(token_uri_, "lintel-identity-" + *suffix, token_);
        if (!uri) return key_failed(uri.error());
        auto written = commands::write_new_file(where, *uri + "\n", 0600);
        if (!written) return key_failed(written.error());
        return {};
    }

    Expected<Pkey> load(const std::filesystem::path& where) override {
        auto uri = read_key_uri(where);
        if (!uri) return std::unexpected(uri.error());
        auto key = pkcs11::open_private_key(*uri, token_);
        if (!key) return key_failed(key.error());
        // Pkey owns one reference; the TokenKey keeps its own.
        if (EVP_PKEY_up_ref(key->native()) != 1) {
            return make_error(std::string(reason::key_failed), "cannot reference the token key");
        }
        return Pkey(key->native());
    }

    Expected<std::string> sign_csr(EVP_PKEY& key, std::string_view common_name) override {
        return make_csr_pem(key, common_name);
    }

private:
    std::string token_uri_;
    pkcs11::TokenSettings token_;
};

}  // namespace

Expected<std::unique_ptr<KeySource>> make_token_key_source(std::string_view factory_key_uri,
                                                           pkcs11::TokenSettings token) {
    auto parsed = pkcs11::parse_key_uri(factory_key_uri);
    if (!parsed) return key_failed(parsed.error());
    return std::make_unique<TokenKeySource>(pkcs11::format_uri(pkcs11::token_part(*parsed)),
                                            std::move(token));
}

Expected<std::string> read_key_uri(const std::filesystem::path& where) {
    auto text = commands::read_private_file(where, "identity key reference");
    if (!text) return std::unexpected(text.error());
    std::string uri(text->view());
    while (!uri.empty() && (uri.back() == '\n' || uri.back() == '\r')) uri.pop_back();
    if (auto parsed = pkcs11::parse_key_uri(uri); !parsed) {
        return make_error(
            std::string(reason::key_failed),
            where.string() + " does not hold a token key URI: " + parsed.error().message);
    }
    return uri;
}

}  // namespace lintel::identity

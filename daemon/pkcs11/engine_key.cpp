// The OpenSSL adapter: the token's key as an EVP_PKEY through libp11's "pkcs11" engine.
// Debian 12 ships OpenSSL 3.0 with libengine-pkcs11-openssl (libp11 0.4.12) but no
// pkcs11-provider, so the (deprecated, still supported) ENGINE API is the way in; this file is the
// only one that uses it, so moving to the provider later changes nothing outside it.
#define OPENSSL_SUPPRESS_DEPRECATED

#include <openssl/engine.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ui.h>

#include <map>
#include <mutex>

#include "commands/openssl_support.hpp"
#include "pkcs11/pkcs11.hpp"
#include "pkcs11/reason_codes.hpp"
#include "pkcs11/token_session.hpp"

namespace lintel::pkcs11 {
namespace {

// One initialised engine per module, kept for the life of the process: its keys refer to it, and
// finishing it would C_Finalize the module under the other users (token_session.cpp).
std::mutex g_engine_mutex;
std::map<std::string, ENGINE*> g_engines;

Expected<ENGINE*> engine_for(const std::filesystem::path& module) {
    if (auto it = g_engines.find(module.string()); it != g_engines.end()) return it->second;
    ENGINE* e = ENGINE_by_id("pkcs11");
    if (e == nullptr) {
        return make_error(std::string(error::engine),
                          "OpenSSL cannot load its pkcs11 engine (package "
                          "libengine-pkcs11-openssl): " +
                              commands::ossl::drain_errors());
    }
    // Without MODULE_PATH libp11 would load p11-kit's proxy, i.e. every module of the system.
    if (ENGINE_ctrl_cmd_string(e, "MODULE_PATH", module.c_str(), 0) != 1 ||
        ENGINE_ctrl_cmd_string(e, "QUIET", nullptr, 1) != 1 || ENGINE_init(e) != 1) {
        const std::string why = commands::ossl::drain_errors();
        ENGINE_free(e);
        return make_error(std::string(error::engine), "the pkcs11 engine cannot use the module " +
                                                          module.string() + ": " + why);
    }
    ENGINE_free(e);  // the functional reference from ENGINE_init keeps it
    g_engines[module.string()] = e;
    return e;
}

// A key URI checked against the token: PIN file read, module loaded, logged in, one key found.
struct CheckedKey {
    Uri uri;
    commands::SecretText pin;
    TokenSession session;
    unsigned long handle = 0;
};

Expected<CheckedKey> check_key(std::string_view uri_text, const TokenSettings& token) {
    auto uri = parse_key_uri(uri_text);
    if (!uri) return std::unexpected(uri.error());
    auto pin = read_pin(token.pin_file);
    if (!pin) return std::unexpected(pin.error());
    auto session = TokenSession::open(*uri, token, pin_text(*pin));
    if (!session) return std::unexpected(session.error());
    auto key = session->find_private_key(*uri);
    if (!key) return std::unexpected(key.error());
    return CheckedKey{std::move(*uri), std::move(*pin), std::move(*session), *key};
}

}  // namespace

Expected<TokenKey> open_private_key(std::string_view uri_text, const TokenSettings& token) {
    // Checked first through the module: the engine reports every failure alike.
    auto checked = check_key(uri_text, token);
    if (!checked) return std::unexpected(checked.error());
    const Uri& uri = checked->uri;
    const auto& pin = checked->pin;
    std::lock_guard lock(g_engine_mutex);
    auto engine = engine_for(token.module);
    if (!engine) return std::unexpected(engine.error());
    ERR_clear_error();
    std::string pin_copy(pin_text(pin));
    const int set = ENGINE_ctrl_cmd_string(*engine, "PIN", pin_copy.c_str(), 0);
    std::fill(pin_copy.begin(), pin_copy.end(), '\0');
    if (set != 1)
        return make_error(std::string(error::engine), "the pkcs11 engine refused the PIN control");
    // UI_null: never prompt on a terminal; the PIN comes from the file or not at all.
    const std::string canonical = format_uri(uri);
    EVP_PKEY* key = ENGINE_load_private_key(*engine, canonical.c_str(),
                                            const_cast<UI_METHOD*>(UI_null()), nullptr);
    if (key == nullptr) {
        return make_error(std::string(error::engine), "the pkcs11 engine cannot load " + canonical +
                                                          ": " + commands::ossl::drain_errors());
    }
    TokenKey out;
    out.key_.reset(key, EVP_PKEY_free);
    BIO* bio = BIO_new(BIO_s_mem());
    if (bio != nullptr && PEM_write_bio_PUBKEY(bio, key) == 1) {
        char* data = nullptr;
        const long size = BIO_get_mem_data(bio, &data);
        out.public_pem_.assign(data, static_cast<std::size_t>(size));
    }
    BIO_free(bio);
    if (out.public_pem_.empty()) {
        return make_error(std::string(error::engine),
                          "the key " + canonical +
                              " has no usable public half: " + commands::ossl::drain_errors());
    }
    return out;
}

Expected<std::string> generate_p256_key(std::string_view token_uri, std::string_view label,
                                        const TokenSettings& token) {
    auto uri = parse_uri(token_uri);
    if (!uri) return std::unexpected(uri.error());
    if (uri->names_key() || uri->type)
        return make_error(
            std::string(error::uri),
            "pkcs11: URI: name only the token (token=, serial=, ...) to generate a key");
    if (label.empty() || label.size() > 64)
        return make_error(std::string(error::uri), "the new key's label must be 1-64 characters");
    auto pin = read_pin(token.pin_file);
    if (!pin) return std::unexpected(pin.error());
    auto session = TokenSession::open(*uri, token, pin_text(*pin));
    if (!session) return std::unexpected(session.error());
    auto id = session->generate_p256(label);
    if (!id) return std::unexpected(id.error());
    Uri key = *uri;
    key.object = std::string(label);
    key.id = *id;
    key.type = "private";
    return format_uri(key);
}

Expected<KeyProtection> inspect_private_key(std::string_view uri_text, const TokenSettings& token) {
    auto checked = check_key(uri_text, token);
    if (!checked) return std::unexpected(checked.error());
    return checked->session.protection(checked->handle);
}

}  // namespace lintel::pkcs11

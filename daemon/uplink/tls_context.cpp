// OpenSSL 3 adapter: builds the uplink's SSL_CTX and reports verification failures readably.
#include "uplink/tls_context.hpp"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <mutex>

#include "net/key_file.hpp"
#include "pkcs11/pkcs11.hpp"

namespace lintel::uplink {
namespace {

int ex_index() {
    static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
    return index;
}

std::string openssl_errors() {
    std::string out;
    while (unsigned long e = ERR_get_error()) {
        char buf[256];
        ERR_error_string_n(e, buf, sizeof buf);
        if (!out.empty()) out += "; ";
        out += buf;
    }
    return out.empty() ? "no OpenSSL detail" : out;
}

std::string subject_cn(X509* cert) {
    if (cert == nullptr) return "?";
    char buf[256] = {0};
    X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, buf, sizeof buf);
    return std::string("CN=") + buf;
}

// Keeps OpenSSL's verdict; only records why, so the session can log a precise refusal.
int verify_callback(int preverify_ok, X509_STORE_CTX* store) {
    if (preverify_ok == 1) return 1;
    auto* ssl =
        static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
    if (ssl == nullptr) return preverify_ok;
    auto* self = static_cast<TlsContext*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), ex_index()));
    if (self != nullptr) {
        const int err = X509_STORE_CTX_get_error(store);
        self->record_verify_failure(std::string(X509_verify_cert_error_string(err)) + " (depth " +
                                    std::to_string(X509_STORE_CTX_get_error_depth(store)) + ", " +
                                    subject_cn(X509_STORE_CTX_get_current_cert(store)) + ")");
    }
    return preverify_ok;
}

bool is_ip_literal(std::string_view host) {
    std::string h(host);
    unsigned char buf[sizeof(in6_addr)];
    return inet_pton(AF_INET, h.c_str(), buf) == 1 || inet_pton(AF_INET6, h.c_str(), buf) == 1;
}

}  // namespace

Expected<void> check_private_key_mode(const std::filesystem::path& key_file) {
    return net::check_secret_file_mode(key_file, "key file", "uplink.tls");
}

Expected<std::shared_ptr<TlsContext>> TlsContext::create(const TlsSettings& settings,
                                                         std::string_view server_name) {
    // A token key is opened (and its PIN file's mode checked) at every attempt, like a key file is
    // re-read: a token re-plugged or a corrected PIN file is picked up by the next reconnect.
    std::optional<pkcs11::TokenKey> token_key;
    if (settings.pkcs11) {
        auto key = pkcs11::open_private_key(settings.key_file.string(), *settings.pkcs11);
        if (!key) {  // the code goes into the text too: the session logs the text as REASON
            return make_error(key.error().code,
                              "token key (" + key.error().code + "): " + key.error().message);
        }
        token_key = std::move(*key);
    } else if (settings.key_file.empty() != settings.cert_file.empty()) {
        return make_error("uplink.tls", "a client certificate and its key go together");
    } else if (!settings.key_file.empty()) {
        if (auto r = check_private_key_mode(settings.key_file); !r)
            return std::unexpected(r.error());
    }
    ERR_clear_error();
    SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
    if (ctx == nullptr) return make_error("uplink.tls", "SSL_CTX_new: " + openssl_errors());
    std::shared_ptr<TlsContext> self(new TlsContext());
    self->ctx_ = ctx;
    auto fail = [&](const std::string& what) {
        return make_error("uplink.tls", what + ": " + openssl_errors());
    };

    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
    SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
    SSL_CTX_set_ex_data(ctx, ex_index(), self.get());

    if (SSL_CTX_load_verify_file(ctx, settings.ca_file.c_str()) != 1)
        return fail("cannot load CA file " + settings.ca_file.string());
    if (settings.crl_file) {
        // All CRLs in the file go into the store; CRL_CHECK then requires one for the leaf's
        // issuer, so a missing or expired CRL fails the handshake rather than being skipped.
        X509_STORE* store = SSL_CTX_get_cert_store(ctx);
        if (X509_STORE_load_file(store, settings.crl_file->c_str()) != 1)
            return fail("cannot load CRL file " + settings.crl_file->string());
        X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK);
    }
    if (settings.cert_file.empty()) {
        // no client certificate (a LAN broker that does not ask for one)
    } else if (SSL_CTX_use_certificate_chain_file(ctx, settings.cert_file.c_str()) != 1) {
        return fail("cannot load client certificate " + settings.cert_file.string());
    }
    if (settings.cert_file.empty()) {
        // nothing to load
    } else if (token_key) {
        if (SSL_CTX_use_PrivateKey(ctx, token_key->native()) != 1)
            return fail("cannot use the token key " + settings.key_file.string());
    } else if (SSL_CTX_use_PrivateKey_file(ctx, settings.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
        return fail("cannot load client key " + settings.key_file.string());
    }
    if (!settings.cert_file.empty() && SSL_CTX_check_private_key(ctx) != 1)
        return fail("client key " + settings.key_file.string() + " does not match certificate " +
                    settings.cert_file.string());

    // Hostname (or IP) verification through the context's verify parameters: every SSL made
    // from this context inherits it, whatever libmosquitto does with the SSL object.
    X509_VERIFY_PARAM* param = SSL_CTX_get0_param(ctx);
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    const std::string name(server_name);
    const int ok = is_ip_literal(name)
                       ? X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str())
                       : X509_VERIFY_PARAM_set1_host(param, name.c_str(), name.size());
    if (ok != 1) return fail("cannot set the broker name " + name + " for verification");
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, verify_callback);
    return self;
}

TlsContext::~TlsContext() {
    if (ctx_ != nullptr) {
        // libmosquitto may keep its own reference (it up-refs a user context); only ours goes.
        auto* ctx = static_cast<SSL_CTX*>(ctx_);
        SSL_CTX_set_ex_data(ctx, ex_index(), nullptr);
        SSL_CTX_free(ctx);
    }
}

bool tls_has_pending(void* ssl) {
    return ssl != nullptr && SSL_pending(static_cast<SSL*>(ssl)) > 0;
}

}  // namespace lintel::uplink

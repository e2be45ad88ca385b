// OpenSSL side of the TLS client policy (see tls_client.hpp).
#include "net/tls_client.hpp"

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <boost/asio/ssl.hpp>

#include "net/key_file.hpp"

namespace lintel::net {
namespace {

std::unexpected<Error> tls_error(std::string message) {
    return make_error("net.tls", std::move(message));
}

}  // namespace

Expected<void> configure_tls_client(asio::ssl::context& ctx, const TlsClientFiles& files,
                                    bool verify_peer) {
    if (files.cert.empty() != files.key.empty())
        return tls_error("a client certificate and its key go together");
    if (!files.key.empty()) {
        if (auto mode = check_secret_file_mode(files.key, "key file", "net.tls"); !mode)
            return std::unexpected(mode.error());
    }
    SSL_CTX* native = ctx.native_handle();
    SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
    SSL_CTX_set_options(native, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
    boost::system::error_code ec;
    if (!files.ca.empty()) {
        ctx.load_verify_file(files.ca.string(), ec);
        if (ec) return tls_error("cannot load CA file " + files.ca.string() + ": " + ec.message());
    }
    if (!files.cert.empty()) {
        ctx.use_certificate_chain_file(files.cert.string(), ec);
        if (ec)
            return tls_error("cannot load client certificate " + files.cert.string() + ": " +
                             ec.message());
        ctx.use_private_key_file(files.key.string(), asio::ssl::context::pem, ec);
        if (ec)
            return tls_error("cannot load client key " + files.key.string() + ": " + ec.message());
        if (SSL_CTX_check_private_key(native) != 1)
            return tls_error("client key " + files.key.string() + " does not match certificate " +
                             files.cert.string());
    }
    ctx.set_verify_mode(verify_peer ? asio::ssl::verify_peer : asio::ssl::verify_none);
    return {};
}

Expected<void> expect_peer(void* handle, const std::string& host, bool host_is_ip) {
    SSL* ssl = static_cast<SSL*>(handle);
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    int ok = 1;
    if (host_is_ip) {
        // SNI carries names only (RFC 6066); an IP literal is checked against the SAN's IPs.
        ok = X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str());
    } else {
        // SSL_set_tlsext_host_name is a macro with a C cast; this is what it expands to.
        ok = SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                      static_cast<void*>(const_cast<char*>(host.c_str()))) == 1 &&
             X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size()) == 1;
    }
    if (ok != 1) return tls_error("cannot set up the name check for " + host);
    return {};
}

std::string verify_failure(void* handle) {
    const long verdict = SSL_get_verify_result(static_cast<SSL*>(handle));
    return verdict == X509_V_OK ? std::string() : X509_verify_cert_error_string(verdict);
}

}  // namespace lintel::net

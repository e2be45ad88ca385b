// The client's TLS policy as one OpenSSL SSL_CTX: our CA (+ CRL), our cert and key, TLS >= 1.2,
// broker hostname verification. libmosquitto has no CRL option, so it is given this context.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "lintel/error.hpp"
#include "uplink/mqtt_client.hpp"

namespace lintel::uplink {

class TlsContext {
public:
    // Loads everything now, so a bad file is reported by name before any connection.
    // `server_name` (a DNS name or an IP literal) must match the broker certificate's SAN.
    static Expected<std::shared_ptr<TlsContext>> create(const TlsSettings& settings,
                                                        std::string_view server_name);
    ~TlsContext();
    TlsContext(const TlsContext&) = delete;
    TlsContext& operator=(const TlsContext&) = delete;

    // The SSL_CTX*, as void* so that callers need not include OpenSSL.
    void* native() const { return ctx_; }
    // Why the broker's certificate was rejected during the last handshake ("" if it was not):
    // e.g. "unable to get local issuer certificate (depth 0, CN=localhost)".
    const std::string& server_verify_failure() const { return verify_failure_; }
    void clear_verify_failure() { verify_failure_.clear(); }

    // Called by OpenSSL's verify callback.
    void record_verify_failure(std::string what) {
        if (verify_failure_.empty()) verify_failure_ = std::move(what);
    }

private:
    TlsContext() = default;
    void* ctx_ = nullptr;  // SSL_CTX*
    std::string verify_failure_;
};

// True if the SSL object (from mosquitto_ssl_get) holds decrypted bytes not yet read: those do
// not make the socket readable again, so the driver must read them without waiting.
bool tls_has_pending(void* ssl);

// A private key readable by group or others is refused (STYLE: credential modes checked).
Expected<void> check_private_key_mode(const std::filesystem::path& key_file);

}  // namespace lintel::uplink

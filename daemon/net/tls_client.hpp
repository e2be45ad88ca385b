// The TLS client policy lintel uses for HTTPS peers (OTA artifact servers, http devices), on an
// asio ssl::context: for the Beast adapters only; their public headers do not include it.
#pragma once

#include "lintel/asio.hpp"  // first: the <utility> prelude asio needs

#include <boost/asio/ssl/context.hpp>
#include <filesystem>
#include <string>

#include "lintel/error.hpp"

namespace lintel::net {

struct TlsClientFiles {
    std::filesystem::path ca;    // the only trust anchor; empty: none (only with verify off)
    std::filesystem::path cert;  // optional client certificate chain, with key
    std::filesystem::path key;   // must be 0600 (or stricter)
};

// TLS >= 1.2, no compression or renegotiation; peers verified against `files.ca` only (the
// system store is never loaded, so a public CA cannot vouch for a peer), unless `verify_peer`
// is false; the client certificate if set. Errors: net.tls, naming the file.
Expected<void> configure_tls_client(asio::ssl::context& ctx, const TlsClientFiles& files,
                                    bool verify_peer = true);

// Before the handshake on `ssl` (an SSL*): SNI for names (RFC 6066: never for IP literals) and
// the name or IP the peer's certificate must carry. Errors: net.tls.
Expected<void> expect_peer(void* ssl, const std::string& host, bool host_is_ip);

// After a failed handshake: why the peer's certificate was refused, "" if it was not.
std::string verify_failure(void* ssl);

}  // namespace lintel::net

// RAII owners for OpenSSL objects and OpenSSL errors as Error, for the OpenSSL adapters.
// Only OpenSSL adapters include this header: the module's (keys.cpp, certificate.cpp, random.cpp)
// and daemon/credentials' (pem.cpp, device_identity.cpp, envelope.cpp, seal.cpp).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "lintel/error.hpp"

namespace lintel::commands::ossl {

template <typename T, void (*Free)(T*)>
struct Deleter {
    void operator()(T* p) const { Free(p); }
};

using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX, EVP_MD_CTX_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, Deleter<ECDSA_SIG, ECDSA_SIG_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using StorePtr = std::unique_ptr<X509_STORE, Deleter<X509_STORE, X509_STORE_free>>;
using StoreCtxPtr = std::unique_ptr<X509_STORE_CTX, Deleter<X509_STORE_CTX, X509_STORE_CTX_free>>;

// Drains this thread's OpenSSL error queue into one line ("error:...; error:..."), or
// "no details from OpenSSL". Draining matters: the queue is per thread and a stale entry would
// show up in the next, unrelated message.
std::string drain_errors();

// Error{code, what + ": " + drain_errors()}.
std::unexpected<Error> failure(std::string_view code, std::string what);

// A read-only memory BIO over `data` (not copied; `data` must outlive it).
Expected<BioPtr> memory_bio(std::string_view data);

// A certificate name in OpenSSL's one-line form ("CN = gw-001, O = Example"), UTF-8 kept; "?"
// when it cannot be printed.
std::string name_text(const X509_NAME* name);

}  // namespace lintel::commands::ossl

// OpenSSL error text and memory BIOs for the module's adapters.
#include "commands/openssl_support.hpp"

#include <climits>

#include <openssl/err.h>

#include "commands/reason_codes.hpp"

namespace lintel::commands::ossl {

std::string drain_errors() {
    std::string text;
    while (const unsigned long code = ERR_get_error()) {
        char buffer[256];
        ERR_error_string_n(code, buffer, sizeof buffer);
        if (!text.empty()) text += "; ";
        text += buffer;
    }
    return text.empty() ? "no details from OpenSSL" : text;
}

std::unexpected<Error> failure(std::string_view code, std::string what) {
    return make_error(std::string(code), std::move(what) + ": " + drain_errors());
}

Expected<BioPtr> memory_bio(std::string_view data) {
    if (data.size() > static_cast<std::size_t>(INT_MAX)) {
        return make_error(std::string(error::bad_input), "input too large for OpenSSL");
    }
    BioPtr bio(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
    if (!bio) return failure(error::crypto, "cannot create a memory BIO");
    return bio;
}

std::string name_text(const X509_NAME* name) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio ||
        X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_ONELINE & ~ASN1_STRFLGS_ESC_MSB) < 0) {
        ERR_clear_error();
        return "?";
    }
    char* data = nullptr;
    const long size = BIO_ctrl(bio.get(), BIO_CTRL_INFO, 0, static_cast<void*>(&data));
    if (size <= 0 || data == nullptr) return "?";
    return std::string(data, static_cast<std::size_t>(size));
}

}  // namespace lintel::commands::ossl

// The reason codes of the artifact download (docs/ota.md, "Download"): stable, machine-readable.
#pragma once

#include <string_view>

namespace lintel::ota::download_codes {

// Transport, HTTP status, redirect, size mismatch, bad URL, local file error: the message says
// which, with the URL's host and path (never its query or user info).
inline constexpr std::string_view download_failed = "ota.download_failed";
// The server announced or sent more bytes than the expected size.
inline constexpr std::string_view too_large = "ota.too_large";
// Not enough free space in the staging directory (checked first), or ENOSPC while writing.
inline constexpr std::string_view no_space = "ota.no_space";
// The caller aborted the download (emergency stop, shutdown).
inline constexpr std::string_view aborted = "ota.aborted";
// The server's certificate is not trusted (not from the configured CA, wrong name, expired), or
// the TLS files in the settings cannot be used.
inline constexpr std::string_view tls = "ota.tls";

}  // namespace lintel::ota::download_codes

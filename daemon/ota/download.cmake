# The OTA artifact download (docs/ota.md, "Download"), included from daemon/ota/CMakeLists.txt.
#   lintel_ota_download_core  URL, Content-Range, .part.meta, token bucket, progress gate: plain
#                             C++ without asio, so the fuzzer (clang) builds it
#   lintel_ota_download       the Downloader: asio coroutines, Beast and OpenSSL in the adapter
add_library(lintel_ota_download_core STATIC
  download_headers.cpp
  download_meta.cpp
  download_progress.cpp
  download_rate_limit.cpp
  download_url.cpp)
target_include_directories(lintel_ota_download_core PUBLIC
  ${PROJECT_SOURCE_DIR}/daemon
  ${PROJECT_SOURCE_DIR}/daemon/include)
target_link_libraries(lintel_ota_download_core PUBLIC lintel_net PRIVATE lintel_warnings)

if(LINTEL_FUZZ)  # the rest needs g++'s coroutine support with Boost 1.74
  return()
endif()
# Backoff comes from the uplink, the TLS client policy from net; the file helpers and the SHA-256
# from common.
add_library(lintel_ota_download STATIC
  download.cpp
  download_https.cpp
  download_part.cpp)
target_link_libraries(lintel_ota_download
  PUBLIC lintel_ota_download_core lintel_sdk Boost::headers
  PRIVATE lintel_uplink lintel_tls_client lintel_common OpenSSL::SSL Threads::Threads lintel_warnings)

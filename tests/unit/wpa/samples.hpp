// The real wpa_supplicant output in data/: whole STATUS replies and event datagrams.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace lintel::wpa::test {

// data/<name>, whole; the test fails (ADD_FAILURE) and gets "" when it cannot be read.
std::string sample(std::string_view name);
// data/<name>, one datagram per line (the newline is not part of it).
std::vector<std::string> sample_events(std::string_view name);

}  // namespace lintel::wpa::test

// Reads the committed samples of real wpa_supplicant output.
#include "samples.hpp"

#include <gtest/gtest.h>

#include "support/files.hpp"

namespace lintel::wpa::test {

std::string sample(std::string_view name) {
    auto text =
        lintel::test::read_file(std::string(LINTEL_WPA_SAMPLES_DIR) + "/" + std::string(name));
    if (!text) {
        ADD_FAILURE() << text.error().message;
        return {};
    }
    return *text;
}

std::vector<std::string> sample_events(std::string_view name) {
    const std::string text = sample(name);
    std::vector<std::string> out;
    std::size_t pos = 0;
    while (pos < text.size()) {
        auto nl = text.find('\n', pos);
        if (nl == std::string::npos) nl = text.size();
        out.push_back(text.substr(pos, nl - pos));
        pos = nl + 1;
    }
    return out;
}

}  // namespace lintel::wpa::test

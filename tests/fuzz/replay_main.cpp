// Replays fuzz inputs through a libFuzzer target without libFuzzer: the normal (g++, sanitized)
// build links this main with each target's LLVMFuzzerTestOneInput, and ctest runs it over the
// committed corpus and regressions/ so a crash once found stays tested without clang.
//   fuzz_config tests/fuzz/core/corpus/fuzz_config tests/fuzz/core/regressions/fuzz_config
// Each argument is a file or a directory (its regular files, sorted, dotfiles skipped);
// `--optional DIR` names a directory that may not exist (regressions/ of a target that never
// crashed). No input at all is an error: an empty corpus tests nothing.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
// Optional in a target, as with libFuzzer.
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int* argc, char*** argv);

namespace {

namespace fs = std::filesystem;

// Collects the inputs named by one argument; false (with a message) when it names nothing usable.
bool collect(const fs::path& arg, std::vector<fs::path>& inputs) {
    std::error_code ec;
    if (fs::is_regular_file(arg, ec)) {
        inputs.push_back(arg);
        return true;
    }
    if (!fs::is_directory(arg, ec)) {
        std::fprintf(stderr, "replay: %s is neither a file nor a directory\n", arg.c_str());
        return false;
    }
    std::vector<fs::path> found;
    for (const auto& entry : fs::directory_iterator(arg, ec)) {
        if (entry.is_regular_file() && !entry.path().filename().string().starts_with("."))
            found.push_back(entry.path());
    }
    if (ec) {
        std::fprintf(stderr, "replay: cannot list %s: %s\n", arg.c_str(), ec.message().c_str());
        return false;
    }
    std::sort(found.begin(), found.end());
    inputs.insert(inputs.end(), found.begin(), found.end());
    return true;
}

bool replay(const fs::path& input) {
    std::ifstream in(input, std::ios::binary);
    if (!in) {
        std::fprintf(stderr, "replay: cannot read %s\n", input.c_str());
        return false;
    }
    const std::vector<char> bytes{std::istreambuf_iterator<char>(in),
                                  std::istreambuf_iterator<char>()};
    // An allocation of exactly the input's size, as libFuzzer passes it, so that AddressSanitizer
    // sees a read one byte past the end.
    auto data = std::make_unique<std::uint8_t[]>(bytes.size());
    std::copy(bytes.begin(), bytes.end(), data.get());
    // Named before the call: a sanitizer report or crash that follows belongs to this input.
    std::fprintf(stderr, "replay: %s (%zu bytes)\n", input.c_str(), bytes.size());
    std::fflush(stderr);
    (void)LLVMFuzzerTestOneInput(data.get(), bytes.size());
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s [--optional] FILE-OR-DIR...\n", argv[0]);
        return 2;
    }
    if (LLVMFuzzerInitialize != nullptr) LLVMFuzzerInitialize(&argc, &argv);
    std::vector<fs::path> inputs;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--optional" && i + 1 < argc) {
            std::error_code ec;
            if (fs::exists(argv[++i], ec) && !collect(argv[i], inputs)) return 1;
            continue;
        }
        if (!collect(arg, inputs)) return 1;
    }
    if (inputs.empty()) {
        std::fprintf(stderr, "replay: no input found\n");
        return 1;
    }
    for (const auto& input : inputs) {
        if (!replay(input)) return 1;
    }
    std::printf("replayed %zu inputs without a finding\n", inputs.size());
    return 0;
}

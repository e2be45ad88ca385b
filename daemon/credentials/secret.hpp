// Secret text (passwords, PSKs, private keys, decrypted bundles): wiped from memory when freed,
// shown as "<redacted>" when printed, readable only through an explicit reveal().
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace lintel::credentials {

// Overwrites every block before returning it to the heap, so a freed buffer (a container that
// grew, a destroyed string) leaves no copy of a secret behind.
template <typename T>
struct WipingAllocator {
    using value_type = T;
    WipingAllocator() = default;
    template <typename U>
    WipingAllocator(const WipingAllocator<U>&) noexcept {}
    T* allocate(std::size_t n) { return std::allocator<T>().allocate(n); }
    void deallocate(T* p, std::size_t n) noexcept;
    template <typename U>
    bool operator==(const WipingAllocator<U>&) const noexcept {
        return true;
    }
};

// Overwrites `size` bytes at `data` in a way the compiler may not drop (explicit_bzero).
void wipe(void* data, std::size_t size) noexcept;

template <typename T>
void WipingAllocator<T>::deallocate(T* p, std::size_t n) noexcept {
    wipe(static_cast<void*>(p), n * sizeof(T));
    std::allocator<T>().deallocate(p, n);
}

// JSON whose every node, key and string lives in wiped memory: the DOM of a decrypted bundle.
// (Short strings sit inside their heap-allocated node, which the allocator wipes too.)
using SecretString = std::basic_string<char, std::char_traits<char>, WipingAllocator<char>>;
using SecretJson = nlohmann::basic_json<std::map, std::vector, SecretString, bool, std::int64_t,
                                        std::uint64_t, double, WipingAllocator>;

class Secret {
public:
    Secret() = default;
    explicit Secret(std::string_view text) : bytes_(text.begin(), text.end()) {}

    // The secret itself. Named so that every use is deliberate and easy to find in review.
    std::string_view reveal() const { return {bytes_.data(), bytes_.size()}; }
    std::size_t size() const { return bytes_.size(); }
    bool empty() const { return bytes_.empty(); }

    void append(std::string_view text) { bytes_.insert(bytes_.end(), text.begin(), text.end()); }
    // Reserves room first so that appending up to `size` bytes never reallocates.
    void reserve(std::size_t size) { bytes_.reserve(size); }
    // Drops the last byte (a trailing newline read from a file).
    void pop_back() { bytes_.pop_back(); }
    // For decrypting in place: size it (zero-filled), then write through data().
    void resize(std::size_t size) { bytes_.resize(size); }
    char* data() { return bytes_.data(); }

    // Constant time in the contents (a comparison must not tell how much of a guess was right).
    friend bool operator==(const Secret& a, const Secret& b);

    // Never the contents: logs, test failure messages and debug output show "<redacted>".
    friend std::ostream& operator<<(std::ostream& out, const Secret&) {
        return out << "<redacted>";
    }

private:
    // A vector, not a string: no small-string buffer inside the object that would escape the
    // allocator's wiping.
    std::vector<char, WipingAllocator<char>> bytes_;
};

}  // namespace lintel::credentials

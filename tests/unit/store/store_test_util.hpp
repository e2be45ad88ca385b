// Helpers shared by the store tests: temp dirs, a capturing logger, point factories.
#pragma once

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "lintel/asio.hpp"
#include "lintel/log.hpp"
#include "lintel/point.hpp"

namespace lintel::store::test {

class TempDir {
public:
    TempDir() {
        const char* base = std::getenv("TMPDIR");
        std::string tmpl = std::string(base != nullptr ? base : "/tmp") + "/lintel-store-XXXXXX";
        if (mkdtemp(tmpl.data()) == nullptr) std::abort();
        path_ = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }
    std::filesystem::path file(const std::string& name) const { return path_ / name; }

private:
    std::filesystem::path path_;
};

class CapturingLogger final : public sdk::Logger {
public:
    struct Line {
        sdk::LogLevel level;
        std::string text;  // message plus " KEY=value" fields
    };
    void log(sdk::LogLevel level, std::string_view message,
             std::initializer_list<sdk::LogField> fields) override {
        std::string text(message);
        for (const auto& f : fields) text += " " + std::string(f.key) + "=" + std::string(f.value);
        std::lock_guard lock(mu_);
        lines_.push_back({level, std::move(text)});
    }
    bool enabled(sdk::LogLevel) const override { return true; }
    std::vector<Line> lines() const {
        std::lock_guard lock(mu_);
        return lines_;
    }
    std::size_t count(sdk::LogLevel level) const {
        std::lock_guard lock(mu_);
        std::size_t n = 0;
        for (const auto& l : lines_) n += l.level == level ? 1 : 0;
        return n;
    }

private:
    mutable std::mutex mu_;
    std::vector<Line> lines_;
};

// A numeric point whose value carries its index, so tests can check order and loss.
inline sdk::PointValue numbered_point(std::int64_t i, std::string device = "boiler-1") {
    sdk::PointValue p;
    p.device = std::move(device);
    p.point = "supply_temp";
    p.value = i;
    p.unit = "degC";
    p.ts_ms = 1'700'000'000'000 + i;
    return p;
}

inline std::vector<sdk::PointValue> numbered_points(std::int64_t from, std::int64_t count,
                                                    const std::string& device = "boiler-1") {
    std::vector<sdk::PointValue> v;
    v.reserve(static_cast<std::size_t>(count));
    for (std::int64_t i = from; i < from + count; ++i) v.push_back(numbered_point(i, device));
    return v;
}

// Runs `io` until `done()` or the deadline; false on timeout. Never sleeps blindly.
inline bool run_until(asio::io_context& io, const std::function<bool()>& done,
                      std::chrono::milliseconds deadline = std::chrono::seconds(10)) {
    const auto end = std::chrono::steady_clock::now() + deadline;
    while (!done()) {
        if (std::chrono::steady_clock::now() > end) return false;
        io.restart();
        io.run_for(std::chrono::milliseconds(5));
    }
    return true;
}

}  // namespace lintel::store::test

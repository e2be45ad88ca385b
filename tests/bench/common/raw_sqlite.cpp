// Benchmarks: the raw SQLite insert loop (the store's physical limit) and the telemetry factory.
#include "raw_sqlite.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>

#include "store/sqlite_db.hpp"

namespace lintel::bench {

PointFactory::PointFactory() {
    for (int d = 0; d < 200; ++d) devices_.push_back("ahu-" + std::to_string(d));
    for (int p = 0; p < 25; ++p) points_.push_back("zone_temp_" + std::to_string(p));
}

std::vector<sdk::PointValue> PointFactory::make(std::size_t count) {
    std::vector<sdk::PointValue> v;
    v.reserve(count);
    for (std::size_t i = 0; i < count; ++i, ++n_) {
        sdk::PointValue p;
        p.device = devices_[(n_ / 25) % devices_.size()];
        p.point = points_[n_ % 25];
        switch (n_ % 25) {
            case 0:
                p.value = (n_ & 64) != 0;
                break;
            case 1:
                p.value = static_cast<std::int64_t>(n_ % 1000);
                break;
            case 2:
                p.value = std::string(n_ % 2 ? "occupied" : "unoccupied");
                break;
            default:
                p.value = 20.0 + static_cast<double>(n_ % 1000) / 100.0;
                p.unit = "degC";
        }
        p.ts_ms = 1'700'000'000'000 + static_cast<std::int64_t>(n_ / 50);
        v.push_back(std::move(p));
    }
    return v;
}

double raw_insert_rate(const std::filesystem::path& path, std::size_t count) {
    using Clock = std::chrono::steady_clock;
    auto db = store::Database::open(path);
    if (!db) return 0;
    (void)db->query_text("PRAGMA journal_mode=WAL");
    (void)db->exec(
        "PRAGMA synchronous=NORMAL;PRAGMA cache_size=-1024;"
        "CREATE TABLE points(id INTEGER PRIMARY KEY, series INTEGER NOT NULL, ts INTEGER NOT NULL,"
        " flags INTEGER NOT NULL, value, bytes INTEGER NOT NULL)");
    auto ins =
        db->prepare("INSERT INTO points(id, series, ts, flags, value, bytes) VALUES(?,?,?,?,?,?)");
    if (!ins) return 0;
    PointFactory factory;
    std::int64_t id = 1;
    double busy = 0;
    for (std::size_t done = 0; done < count;) {
        const std::size_t n = std::min<std::size_t>(5000, count - done);
        const auto points = factory.make(n);
        const auto t0 = Clock::now();
        (void)db->exec("BEGIN");
        for (const auto& p : points) {
            ins->bind(1, id);
            ins->bind(2, id % 5000);
            ins->bind(3, p.ts_ms);
            ins->bind(4, static_cast<std::int64_t>(p.value.index()));
            if (const auto* d = std::get_if<double>(&p.value))
                ins->bind(5, *d);
            else if (const auto* s = std::get_if<std::string>(&p.value))
                ins->bind_text(5, *s);
            else if (const auto* i = std::get_if<std::int64_t>(&p.value))
                ins->bind(5, *i);
            else
                ins->bind(5, std::int64_t{std::get<bool>(p.value)});
            ins->bind(6, std::int64_t{40});
            (void)ins->run();
            ++id;
        }
        (void)db->exec("COMMIT");
        busy += std::chrono::duration<double>(Clock::now() - t0).count();
        done += n;
    }
    return static_cast<double>(count) / busy;
}

}  // namespace lintel::bench

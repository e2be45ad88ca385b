// HTTP device lifecycle: poll the URL, map the JSON answer to points, report health on change,
// serve writes. One coroutine polls; each write runs as its own request.
#include "lintel/asio.hpp"  // first: the <utility> prelude asio needs

#include "device.hpp"

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "extract.hpp"
#include "http_client.hpp"
#include "lintel/session_device.hpp"
#include "net/key_file.hpp"

namespace lintel::http {
namespace {

using sdk::Health;
using sdk::Quality;

std::string duration_text(std::chrono::milliseconds d) {
    if (d.count() != 0 && d.count() % 1000 == 0) return std::to_string(d.count() / 1000) + "s";
    return std::to_string(d.count()) + "ms";
}

Expected<std::string> read_password(const std::filesystem::path& file) {
    return net::read_secret_file(file, "password file", "http.password_file");
}

bool is_2xx(unsigned status) { return status >= 200 && status < 300; }

// jsonmap::ValueType mirrors sdk::ValueKind (bool, int, float, string) so a cast maps one to the
// other; these keep them in step.
static_assert(static_cast<int>(jsonmap::ValueType::boolean) ==
              static_cast<int>(sdk::ValueKind::boolean));
static_assert(static_cast<int>(jsonmap::ValueType::integer) ==
              static_cast<int>(sdk::ValueKind::integer));
static_assert(static_cast<int>(jsonmap::ValueType::real) == static_cast<int>(sdk::ValueKind::real));
static_assert(static_cast<int>(jsonmap::ValueType::string) ==
              static_cast<int>(sdk::ValueKind::string));

}  // namespace

struct HttpSession : std::enable_shared_from_this<HttpSession> {
    HttpSession(std::string name, DeviceConfig config, sdk::DeviceHost& host)
        : name_(std::move(name)),
          config_(std::move(config)),
          mappings_(config_.mappings()),
          host_(host),
          executor_(host.executor()),
          peer_(config_.url.redacted()),
          point_error_(config_.points.size()),
          timer_(executor_) {}

    // ---- host calls: all guarded, so nothing reaches the host after stop() ----

    void set_health(Health health, const std::string& detail, const std::string& code = {}) {
        if (stopped_ || (health == health_ && detail == health_detail_)) return;
        const bool changed = health != health_;
        health_ = health;
        health_detail_ = detail;
        host_.report_health(health, detail);
        if (!changed && health != Health::down) return;  // degraded details: logged per point
        const sdk::LogField peer{"PEER", peer_};
        switch (health) {
            case Health::ok:
                host_.log().info("device answers at " + peer_ + ": " + detail, {peer});
                break;
            case Health::degraded:
                host_.log().warning("device at " + peer_ + " answers but " + detail +
                                        "; those points are published with quality=error",
                                    {peer});
                break;
            case Health::down:
                host_.log().warning("device at " + peer_ + " is down: " + detail +
                                        "; its points are published with quality=error, next "
                                        "attempt in " +
                                        duration_text(config_.poll_interval),
                                    {peer, {"ERROR", code}});
                break;
            case Health::starting:
                break;
        }
    }

    void publish(std::vector<sdk::PointValue> values) {
        if (stopped_ || values.empty()) return;
        host_.publish(std::move(values));
    }

    void go_down(const Error& error) {
        const bool was_down = health_ == Health::down;
        set_health(Health::down, error.message, error.code);
        if (was_down || stopped_) return;
        std::vector<sdk::PointValue> values;
        const std::int64_t ts = sdk::now_unix_ms();
        for (const auto& m : mappings_) {
            values.push_back(
                sdk::PointValue{name_, m.name, jsonmap::zero_value(m), m.unit, Quality::error, ts});
        }
        for (auto& e : point_error_) e.reset();  // re-logged when the device answers again
        payload_error_.reset();
        publish(std::move(values));
    }

    // ---- requests ----

    Expected<std::string> authorization() const {
        if (!config_.basic_auth) return std::string();
        auto password = read_password(config_.basic_auth->password_file);
        if (!password) return std::unexpected(password.error());
        return basic_authorization(config_.basic_auth->username, *password);
    }

    void note_point(std::size_t i, const jsonmap::Extraction& e) {
        std::optional<std::string>& failing = point_error_[i];
        const std::string& point = mappings_[i].name;
        if (!e.error) {
            if (failing && !stopped_) {
                host_.log().info("point " + point + " from " + peer_ + " reads again",
                                 {{"POINT", point}});
            }
            failing.reset();
            return;
        }
        if (failing == e.error->message || stopped_) return;
        failing = e.error->message;
        if (e.error->code == "mapping.not_json") return;  // one line for the payload: note_payload
        host_.log().warning("point " + point + " from " + peer_ + ": " + e.error->message +
                                "; published with quality=error",
                            {{"POINT", point}, {"ERROR", e.error->code}});
    }

    // A payload that is not JSON fails every point the same way: one line, not one per point.
    void note_payload(const std::vector<jsonmap::Extraction>& extracted) {
        const bool broken = !extracted.empty() && extracted.front().error &&
                            extracted.front().error->code == "mapping.not_json";
        if (!broken) {
            payload_error_.reset();
            return;
        }
        const Error& e = *extracted.front().error;
        if (payload_error_ == e.message || stopped_) return;
        payload_error_ = e.message;
        host_.log().warning("answer from " + peer_ + ": " + e.message + "; all " +
                                std::to_string(extracted.size()) +
                                " points published with quality=error",
                            {{"ERROR", e.code}});
    }

    asio::awaitable<void> poll_once() {
        auto auth = authorization();
        if (!auth) {
            go_down(auth.error());
            co_return;
        }
        HttpRequest request{config_.method, config_.url, config_.headers, config_.body,
                            std::move(*auth)};
        auto response = co_await client_->send(request, config_.timeout);
        if (stopped_) co_return;
        if (!response) {
            go_down(response.error());
            co_return;
        }
        if (!is_2xx(response->status)) {
            go_down(Error{"http.status",
                          "answered HTTP " + std::to_string(response->status) + " to the poll"});
            co_return;
        }
        auto extracted = jsonmap::extract(response->body, mappings_, name_, sdk::now_unix_ms());
        note_payload(extracted);
        std::vector<sdk::PointValue> values;
        values.reserve(extracted.size());
        std::size_t failed = 0;
        std::string first;
        for (std::size_t i = 0; i < extracted.size(); ++i) {
            note_point(i, extracted[i]);
            if (extracted[i].error && failed++ == 0)
                first = mappings_[i].name + ": " + extracted[i].error->message;
            values.push_back(std::move(extracted[i].value));
        }
        publish(std::move(values));
        if (failed == 0) {
            set_health(Health::ok, std::to_string(mappings_.size()) + " points every " +
                                       duration_text(config_.poll_interval));
        } else {
            set_health(Health::degraded, std::to_string(failed) + " of " +
                                             std::to_string(mappings_.size()) +
                                             " points cannot be read, first " + first);
        }
    }

    static asio::awaitable<void> run(std::shared_ptr<HttpSession> self) {
        while (!self->stopped_) {
            co_await self->poll_once();
            if (self->stopped_) break;
            self->timer_.expires_after(self->config_.poll_interval);
            boost::system::error_code ec;
            co_await self->timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        }
    }

    // ---- writes ----

    static asio::awaitable<void> write_one(std::shared_ptr<HttpSession> self, HttpRequest request,
                                           std::string point, sdk::WriteDone done) {
        auto response = co_await self->client_->send(request, self->config_.timeout);
        if (self->stopped_) {
            done(make_error("http.stopped",
                            "device " + self->name_ + " stopped before the write was confirmed"));
            co_return;
        }
        const sdk::LogField field{"POINT", point};
        if (!response) {
            self->host_.log().warning(
                "write of point " + point + " failed: " + response.error().message,
                {field, {"ERROR", response.error().code}});
            done(make_error(response.error().code,
                            "write of point " + point + " failed: " + response.error().message));
            co_return;
        }
        if (!is_2xx(response->status)) {
            const std::string status = std::to_string(response->status);
            self->host_.log().warning("write of point " + point + " refused: " +
                                          request.url.redacted() + " answered HTTP " + status,
                                      {field, {"ERROR", "http.write_status"}});
            done(make_error("http.write_status", "device " + self->name_ + " answered HTTP " +
                                                     status + " to the write of point " + point));
            co_return;
        }
        self->host_.log().debug("wrote point " + point, {field});
        done(Expected<void>{});
    }

    Expected<HttpRequest> write_request(std::string_view point, const sdk::Value& value) {
        auto found =
            jsonmap::find_writable(config_.points, point, name_, "http",
                                   [&](const PointConfig& p) { return config_.write_for(p); });
        if (!found) return std::unexpected(found.error());
        const auto [it, w] = *found;
        auto device_value = jsonmap::to_device_value(it->mapping, value);
        if (!device_value) return std::unexpected(device_value.error());
        const jsonmap::TemplateContext context{*device_value, it->mapping.name, name_};
        auto url = net::parse_http_url(w->url.render(context), net::Schemes::http_or_https);
        if (!url) return make_error("http.write_url", "write URL: " + url.error().message);
        auto auth = authorization();
        if (!auth) return std::unexpected(auth.error());
        HttpRequest request{w->method, std::move(*url), config_.headers, {}, std::move(*auth)};
        for (const auto& [name, v] : w->headers) {
            std::erase_if(request.headers, [&](const auto& h) { return h.first == name; });
            request.headers.emplace_back(name, v);
        }
        if (!w->body.empty()) request.body = w->body.render(context);
        return request;
    }

    void write(std::string_view point, const sdk::Value& value, sdk::WriteDone done) {
        if (!done) done = [](Expected<void>) {};
        Expected<HttpRequest> request =
            stopped_ || client_ == nullptr
                ? make_error("http.stopped", "device " + name_ + " is not running")
                : write_request(point, value);
        if (!request) {
            // `done` must not run inside write(): the caller may not expect re-entry.
            asio::post(executor_, [done = std::move(done), error = request.error()] {
                done(std::unexpected(error));
            });
            return;
        }
        asio::co_spawn(
            executor_,
            write_one(shared_from_this(), std::move(*request), std::string(point), std::move(done)),
            asio::detached);
    }

    void start() {
        if (started_ || stopped_) return;
        started_ = true;
        for (const auto& m : mappings_) {
            if (!m.writable) continue;
            const auto kind = m.published_type();
            host_.expose_writable(
                sdk::WritablePoint{m.name, static_cast<sdk::ValueKind>(kind), m.min, m.max});
        }
        auto client = HttpClient::create(executor_, config_.tls);
        if (!client) {
            host_.log().error("cannot set up TLS for " + peer_ + ": " + client.error().message +
                                  "; the device is not polled until the config is fixed",
                              {{"ERROR", client.error().code}});
            go_down(client.error());
            return;
        }
        client_ = std::move(*client);
        std::weak_ptr<HttpSession> weak = weak_from_this();
        asio::co_spawn(executor_, run(shared_from_this()), [weak](std::exception_ptr e) {
            auto self = weak.lock();
            if (!e || self == nullptr || self->stopped_) return;
            const std::string what = exception_text(e);
            self->host_.log().error("http device stopped working: " + what +
                                    "; restart the daemon or reload the device");
            self->set_health(Health::down, "internal error: " + what);
        });
    }

    void stop() {
        if (stopped_) return;
        stopped_ = true;
        timer_.cancel();
        if (client_) client_->cancel();
    }

    std::string name_;
    DeviceConfig config_;
    std::vector<jsonmap::PointMapping> mappings_;
    sdk::DeviceHost& host_;
    asio::any_io_executor executor_;
    std::string peer_;
    std::vector<std::optional<std::string>> point_error_;  // message being reported
    std::optional<std::string> payload_error_;             // same, for a payload that is not JSON
    asio::steady_timer timer_;
    std::shared_ptr<HttpClient> client_;
    Health health_ = Health::starting;
    std::string health_detail_;
    bool started_ = false;
    bool stopped_ = false;
};

std::unique_ptr<sdk::Device> make_http_device(std::string name, DeviceConfig config,
                                              sdk::DeviceHost& host) {
    return std::make_unique<sdk::SessionDevice<HttpSession>>(std::move(name), std::move(config),
                                                             host);
}

}  // namespace lintel::http

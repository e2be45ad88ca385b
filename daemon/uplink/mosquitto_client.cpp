// libmosquitto adapter: one connection attempt driven from the asio loop, no library thread.
//
// How it is driven: mosquitto_socket() is wrapped in a posix::stream_descriptor; we always wait
// for readability, wait for writability while mosquitto_want_write() says so, and call
// mosquitto_loop_read / loop_write accordingly; a 1 s timer calls mosquitto_loop_misc (keepalive
// PINGREQ and the PINGRESP timeout). The library may close or replace its socket inside any call,
// so after every call we compare fds and release (never close) a stale descriptor at once,
// before anything else could reuse the fd number.
//
// Blocking DNS: mosquitto_connect_async() still resolves the host with a blocking getaddrinfo()
// on the calling thread, i.e. the daemon's event loop. An IP literal or /etc/hosts name costs
// nothing; a DNS name costs one resolver round trip per connection attempt and, with a dead
// resolver, up to the resolv.conf timeout x attempts (5 s x 2 by default) during which the loop
// (store, drivers, watchdog pings) stands still. Keep the systemd WatchdogSec well above that, or
// configure an IP / a local caching resolver for sites with flaky DNS.
#include <mosquitto.h>
#include <mqtt_protocol.h>

#include <poll.h>
#include <sys/socket.h>
#include <boost/asio/posix/stream_descriptor.hpp>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <optional>

#include "uplink/mqtt_client.hpp"
#include "uplink/tls_context.hpp"

namespace lintel::uplink {
namespace {

using namespace std::chrono_literals;

void lib_init_once() {
    static std::once_flag once;
    std::call_once(once, [] { mosquitto_lib_init(); });
}

// Everything the asio handlers touch. Handlers hold a weak_ptr: a handler that was already
// queued when the client went away finds it expired (or closed) and does nothing.
struct Core : std::enable_shared_from_this<Core> {
    Core(asio::any_io_executor e, MqttClientOptions o, MqttEvents ev, sdk::Logger& l)
        : ex(std::move(e)), options(std::move(o)), events(std::move(ev)), log(l), misc_timer(ex) {}

    asio::any_io_executor ex;
    MqttClientOptions options;
    MqttEvents events;
    sdk::Logger& log;
    std::shared_ptr<TlsContext> tls;
    ::mosquitto* mosq = nullptr;

    std::optional<asio::posix::stream_descriptor> descriptor;
    int wrapped_fd = -1;
    unsigned wrap_generation = 0;  // bumped on every rewrap; stale waits compare it
    bool read_waiting = false;
    bool write_waiting = false;
    bool closed = false;
    bool connack_seen = false;  // set from the CONNACK callback
    bool failed = false;        // we reported the failure ourselves; stop driving
    asio::steady_timer misc_timer;
    std::string last_library_error;  // the latest MOSQ_LOG_ERR line, for refusal messages

    void close();
    void sync_descriptor();
    void arm();
    void on_ready(bool write, unsigned generation, const boost::system::error_code& ec);
    bool check_connect_error();
    bool check_handshake_failure();
    void fail(const std::string& text);
    void schedule_misc();
    void deliver(std::function<void(Core&)> fn);
    std::string describe_failure(int rc);
};

void Core::close() {
    if (closed) return;
    closed = true;
    misc_timer.cancel();
    if (descriptor) {
        descriptor->release();  // the fd belongs to libmosquitto
        descriptor.reset();
    }
    if (mosq != nullptr) {
        mosquitto_destroy(mosq);  // closes the socket without DISCONNECT
        mosq = nullptr;
    }
}

void Core::sync_descriptor() {
    const int fd = closed ? -1 : mosquitto_socket(mosq);
    if (fd == wrapped_fd) return;
    if (descriptor) {
        descriptor->release();
        descriptor.reset();
    }
    ++wrap_generation;
    read_waiting = write_waiting = false;
    wrapped_fd = -1;
    if (fd >= 0) {
        descriptor.emplace(ex, fd);
        wrapped_fd = fd;
    }
}

void Core::arm() {
    if (closed || failed || !descriptor) return;
    std::weak_ptr<Core> weak = shared_from_this();
    const unsigned generation = wrap_generation;
    if (!read_waiting) {
        read_waiting = true;
        descriptor->async_wait(asio::posix::stream_descriptor::wait_read,
                               [weak, generation](const boost::system::error_code& ec) {
                                   if (auto self = weak.lock())
                                       self->on_ready(false, generation, ec);
                               });
    }
    if (!write_waiting && mosquitto_want_write(mosq)) {
        write_waiting = true;
        descriptor->async_wait(asio::posix::stream_descriptor::wait_write,
                               [weak, generation](const boost::system::error_code& ec) {
                                   if (auto self = weak.lock())
                                       self->on_ready(true, generation, ec);
                               });
    }
}

void Core::on_ready(bool write, unsigned generation, const boost::system::error_code& ec) {
    if (closed || generation != wrap_generation) return;
    (write ? write_waiting : read_waiting) = false;
    if (ec || failed) return;  // operation_aborted: released or rewrapped
    if (!connack_seen && check_connect_error()) return;
    // Errors need no handling here: libmosquitto has then closed the socket and called
    // on_disconnect, which we deliver; sync_descriptor() notices the fd is gone.
    if (write) {
        mosquitto_loop_write(mosq, 1);
    } else {
        mosquitto_loop_read(mosq, 1);
    }
    if (check_handshake_failure()) return;
    sync_descriptor();
    if (!closed && !write && tls != nullptr && tls_has_pending(mosquitto_ssl_get(mosq))) {
        // Decrypted bytes already buffered in OpenSSL will not make the socket readable again.
        std::weak_ptr<Core> weak = shared_from_this();
        const unsigned g = wrap_generation;
        read_waiting = true;
        asio::post(ex, [weak, g] {
            if (auto self = weak.lock()) self->on_ready(false, g, {});
        });
    }
    arm();
}

// libmosquitto 2.0.11 does not notice a failed non-blocking connect: on loopback the refusal
// comes back from its first SSL_write inside mosquitto_connect_async(), which swallows the
// error (errno becomes EPROTO, SO_ERROR is consumed), and afterwards its read path keeps
// retrying the handshake on a dead socket: the loop would spin until connect_timeout.
// So until the CONNACK, a socket that is hung up with nothing left to read is a failed attempt.
// (Readable data is left to libmosquitto: a broker's TLS alert explains a refusal better.)
bool Core::check_connect_error() {
    pollfd p{wrapped_fd, POLLIN | POLLOUT, 0};
    if (::poll(&p, 1, 0) != 1) return false;
    if ((p.revents & (POLLERR | POLLHUP)) == 0) return false;
    char byte;
    const ssize_t n = ::recv(wrapped_fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n > 0 || (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))) return false;
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(wrapped_fd, SOL_SOCKET, SO_ERROR, &err, &len);
    fail(err != 0 ? std::string(std::strerror(err))
                  : "connection refused or reset before the MQTT handshake (is the broker "
                    "listening on that port, or is a firewall resetting it?)");
    return true;
}

// Same library behaviour after a failed TLS handshake (e.g. we rejected the broker's
// certificate): it logs the OpenSSL error and carries on. Before the CONNACK, any library
// error line means the attempt is over.
bool Core::check_handshake_failure() {
    if (failed || connack_seen) return failed;
    if ((tls == nullptr || tls->server_verify_failure().empty()) && last_library_error.empty())
        return false;
    fail(describe_failure(MOSQ_ERR_TLS));
    return true;
}

void Core::fail(const std::string& text) {
    failed = true;
    if (descriptor) descriptor->cancel();
    misc_timer.cancel();
    deliver([text](Core& core) {
        if (core.events.on_disconnect)
            core.events.on_disconnect(MqttResult{MOSQ_ERR_CONN_LOST, text});
    });
}

void Core::schedule_misc() {
    misc_timer.expires_after(1s);
    std::weak_ptr<Core> weak = shared_from_this();
    misc_timer.async_wait([weak](const boost::system::error_code& ec) {
        auto self = weak.lock();
        if (ec || !self || self->closed) return;
        if (mosquitto_socket(self->mosq) >= 0) mosquitto_loop_misc(self->mosq);
        self->sync_descriptor();
        self->arm();
        self->schedule_misc();
    });
}

// libmosquitto calls back from inside loop_read/loop_write; the user hears about it only after
// that call returned, from a fresh handler, so it may destroy the client or publish freely.
void Core::deliver(std::function<void(Core&)> fn) {
    std::weak_ptr<Core> weak = shared_from_this();
    asio::post(ex, [weak, fn = std::move(fn)] {
        auto self = weak.lock();
        if (self && !self->closed) fn(*self);
    });
}

std::string Core::describe_failure(int rc) {
    std::string text;
    if (tls && !tls->server_verify_failure().empty()) {
        text = "TLS: broker certificate rejected: " + tls->server_verify_failure();
    } else if (rc == MOSQ_ERR_ERRNO) {
        text = std::strerror(errno);
    } else {
        text = mosquitto_strerror(rc);
    }
    if (!last_library_error.empty() && text.find(last_library_error) == std::string::npos)
        text += " [" + last_library_error + "]";
    // With TLS 1.3 the broker checks our certificate after our side of the handshake is done,
    // and depending on timing its refusal reaches us as a readable alert ("alert certificate
    // revoked") or only as a closed connection / protocol error. Say what it most likely means.
    if (!connack_seen && text.find("alert") == std::string::npos && tls != nullptr &&
        tls->server_verify_failure().empty()) {
        text +=
            "; the broker closed the connection before CONNACK: if this persists it probably "
            "refuses our client certificate (not from its CA, expired or revoked; see the "
            "broker's log)";
    }
    return text;
}

Core* core_of(void* obj) { return static_cast<Core*>(obj); }

void on_connect_cb(::mosquitto*, void* obj, int rc, int, const mosquitto_property*) {
    Core* c = core_of(obj);
    c->connack_seen = true;
    const std::string text =
        rc == 0 ? "accepted"
                : (c->options.protocol == MqttProtocol::mqtt5 ? mosquitto_reason_string(rc)
                                                              : mosquitto_connack_string(rc));
    c->deliver([rc, text](Core& core) {
        if (core.events.on_connect) core.events.on_connect(MqttResult{rc, text});
    });
}

void on_disconnect_cb(::mosquitto*, void* obj, int rc, const mosquitto_property*) {
    Core* c = core_of(obj);
    // libmosquitto passes either its own error (small numbers) or, when the broker sent a
    // DISCONNECT (MQTT 5), that packet's reason code (>= 0x80).
    std::string text = rc >= 0x80
                           ? std::string("broker sent DISCONNECT: ") + mosquitto_reason_string(rc)
                       : rc == 0 ? std::string("disconnected")
                                 : c->describe_failure(rc);
    c->deliver([rc, text](Core& core) {
        if (core.events.on_disconnect) core.events.on_disconnect(MqttResult{rc, text});
    });
}

void on_publish_cb(::mosquitto*, void* obj, int mid, int reason, const mosquitto_property*) {
    Core* c = core_of(obj);
    std::string text = reason == 0 ? "success" : mosquitto_reason_string(reason);
    c->deliver([mid, reason, text](Core& core) {
        if (core.events.on_publish) core.events.on_publish(mid, MqttResult{reason, text});
    });
}

void on_subscribe_cb(::mosquitto*, void* obj, int mid, int count, const int* granted,
                     const mosquitto_property*) {
    Core* c = core_of(obj);
    std::vector<int> codes(granted, granted + (count > 0 ? count : 0));
    c->deliver([mid, codes = std::move(codes)](Core& core) mutable {
        if (core.events.on_subscribe) core.events.on_subscribe(mid, std::move(codes));
    });
}

void on_message_cb(::mosquitto*, void* obj, const mosquitto_message* m, const mosquitto_property*) {
    Core* c = core_of(obj);
    MqttMessage msg;
    msg.topic = m->topic != nullptr ? m->topic : "";
    if (m->payload != nullptr && m->payloadlen > 0) {
        msg.payload.assign(static_cast<const char*>(m->payload),
                           static_cast<std::size_t>(m->payloadlen));
    }
    msg.qos = m->qos;
    msg.retain = m->retain;
    c->deliver([msg = std::move(msg)](Core& core) mutable {
        if (core.events.on_message) core.events.on_message(std::move(msg));
    });
}

void on_log_cb(::mosquitto*, void* obj, int level, const char* line) {
    Core* c = core_of(obj);
    if (level == MOSQ_LOG_ERR) c->last_library_error = line;
    if (c->log.enabled(sdk::LogLevel::debug)) c->log.debug("libmosquitto", {{"DETAIL", line}});
}

class MosquittoClient final : public MqttClient {
public:
    explicit MosquittoClient(std::shared_ptr<Core> core) : core_(std::move(core)) {}
    ~MosquittoClient() override { core_->close(); }

    Expected<void> connect() override {
        Core& c = *core_;
        if (c.tls) c.tls->clear_verify_failure();
        c.last_library_error.clear();
        // Note: resolves the host with a blocking getaddrinfo() (see the top of this file).
        const int rc = mosquitto_connect_async(c.mosq, c.options.host.c_str(), c.options.port,
                                               static_cast<int>(c.options.keepalive.count()));
        if (rc != MOSQ_ERR_SUCCESS) {
            // Same text as when the failure is noticed later, so "log on change" stays quiet.
            return make_error("uplink.connect", c.describe_failure(rc));
        }
        c.sync_descriptor();
        c.arm();
        c.schedule_misc();
        return {};
    }

    Expected<int> publish(std::string_view topic, std::string_view payload, int qos,
                          bool retain) override {
        Core& c = *core_;
        int mid = 0;
        const std::string t(topic);
        const int rc =
            mosquitto_publish_v5(c.mosq, &mid, t.c_str(), static_cast<int>(payload.size()),
                                 payload.data(), qos, retain, nullptr);
        c.sync_descriptor();
        c.arm();
        if (rc != MOSQ_ERR_SUCCESS)
            return make_error("uplink.publish", "publish to " + t + ": " + mosquitto_strerror(rc));
        return mid;
    }

    Expected<int> subscribe(std::string_view topic, int qos) override {
        Core& c = *core_;
        int mid = 0;
        const std::string t(topic);
        const int rc = mosquitto_subscribe_v5(c.mosq, &mid, t.c_str(), qos, 0, nullptr);
        c.sync_descriptor();
        c.arm();
        if (rc != MOSQ_ERR_SUCCESS)
            return make_error("uplink.subscribe",
                              "subscribe to " + t + ": " + mosquitto_strerror(rc));
        return mid;
    }

    Expected<void> disconnect() override {
        Core& c = *core_;
        const int rc = mosquitto_disconnect(c.mosq);
        c.sync_descriptor();
        c.arm();
        if (rc != MOSQ_ERR_SUCCESS)
            return make_error("uplink.disconnect",
                              std::string("disconnect: ") + mosquitto_strerror(rc));
        return {};
    }

private:
    std::shared_ptr<Core> core_;
};

}  // namespace

Expected<std::unique_ptr<MqttClient>> make_mosquitto_client(asio::any_io_executor executor,
                                                            const MqttClientOptions& options,
                                                            MqttEvents events, sdk::Logger& log) {
    lib_init_once();
    auto core = std::make_shared<Core>(std::move(executor), options, std::move(events), log);
    if (options.use_tls) {
        auto tls = TlsContext::create(options.tls, options.host);
        if (!tls) return std::unexpected(tls.error());
        core->tls = std::move(*tls);
    }
    // clean start: unacknowledged batches are the store's to re-send (after rewind), not the
    // library's; a fresh client per attempt guarantees it holds no stale in-flight messages.
    core->mosq = mosquitto_new(options.client_id.c_str(), true, core.get());
    if (core->mosq == nullptr)
        return make_error("uplink.client", std::string("mosquitto_new: ") + std::strerror(errno));
    auto fail = [&](const char* what, int rc) {
        core->close();
        return make_error("uplink.client", std::string(what) + ": " + mosquitto_strerror(rc));
    };
    ::mosquitto* m = core->mosq;
    int rc = mosquitto_int_option(
        m, MOSQ_OPT_PROTOCOL_VERSION,
        options.protocol == MqttProtocol::mqtt5 ? MQTT_PROTOCOL_V5 : MQTT_PROTOCOL_V311);
    if (rc != MOSQ_ERR_SUCCESS) return fail("protocol version", rc);
    rc =
        mosquitto_int_option(m, MOSQ_OPT_SEND_MAXIMUM, std::clamp(options.max_in_flight, 1, 65535));
    if (rc != MOSQ_ERR_SUCCESS) return fail("send maximum", rc);
    mosquitto_int_option(m, MOSQ_OPT_TCP_NODELAY, 1);
    if (core->tls) {
        // Our SSL_CTX carries the whole policy (CA, CRL, TLS >= 1.2, hostname check); without
        // "defaults" libmosquitto applies none of its own settings on top of it.
        rc = mosquitto_int_option(m, MOSQ_OPT_SSL_CTX_WITH_DEFAULTS, 0);
        if (rc != MOSQ_ERR_SUCCESS) return fail("TLS context defaults", rc);
        rc = mosquitto_void_option(m, MOSQ_OPT_SSL_CTX, core->tls->native());
        if (rc != MOSQ_ERR_SUCCESS) return fail("TLS context", rc);
    }
    if (!options.username.empty()) {
        rc = mosquitto_username_pw_set(
            m, options.username.c_str(),
            options.password.empty() ? nullptr : options.password.c_str());
        if (rc != MOSQ_ERR_SUCCESS) return fail("username", rc);
    }
    if (options.will) {
        const auto& w = *options.will;
        rc = mosquitto_will_set_v5(m, w.topic.c_str(), static_cast<int>(w.payload.size()),
                                   w.payload.data(), w.qos, w.retain, nullptr);
        if (rc != MOSQ_ERR_SUCCESS) return fail("last will", rc);
    }
    mosquitto_connect_v5_callback_set(m, on_connect_cb);
    mosquitto_disconnect_v5_callback_set(m, on_disconnect_cb);
    mosquitto_publish_v5_callback_set(m, on_publish_cb);
    mosquitto_subscribe_v5_callback_set(m, on_subscribe_cb);
    mosquitto_message_v5_callback_set(m, on_message_cb);
    mosquitto_log_callback_set(m, on_log_cb);
    return std::unique_ptr<MqttClient>(std::make_unique<MosquittoClient>(std::move(core)));
}

}  // namespace lintel::uplink

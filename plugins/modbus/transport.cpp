// The two transports of a bus (see transport.hpp): Modbus TCP over Link + Transactor, and
// Modbus RTU over SerialLink with one request at a time.
#include "transport.hpp"

#include "link.hpp"
#include "rtu_frame.hpp"
#include "serial_link.hpp"

namespace lintel::modbus {
namespace {

std::string timeout_text(std::chrono::milliseconds d, int attempts) {
    const std::string t = d.count() % 1000 == 0 ? std::to_string(d.count() / 1000) + "s"
                                                : std::to_string(d.count()) + "ms";
    return "no response within " + t + " (" + std::to_string(attempts) +
           (attempts == 1 ? " attempt)" : " attempts)");
}

class TcpTransport final : public Transport {
public:
    TcpTransport(asio::any_io_executor executor, std::string host, std::uint16_t port)
        : host_(std::move(host)),
          port_(port),
          link_(std::make_shared<Link>(executor)),
          transactor_(executor, link_) {}

    asio::awaitable<Expected<void>> open(std::chrono::milliseconds timeout) override {
        co_return co_await link_->connect(host_, port_, timeout);
    }
    bool is_open() const override { return link_->is_open(); }
    bool pipelines() const override { return true; }
    void close() override {
        link_->close();
        transactor_.cancel();
    }
    asio::awaitable<BatchOutcome> run(std::vector<Job>& jobs,
                                      TransactorSettings settings) override {
        co_return co_await transactor_.run(jobs, settings);
    }
    std::string describe() const override { return host_ + ":" + std::to_string(port_); }

private:
    std::string host_;
    std::uint16_t port_;
    std::shared_ptr<Link> link_;
    Transactor transactor_;
};

class RtuTransport final : public Transport {
public:
    RtuTransport(asio::any_io_executor executor, SerialConfig config)
        : link_(std::make_shared<SerialLink>(executor, std::move(config))) {}

    asio::awaitable<Expected<void>> open(std::chrono::milliseconds) override {
        co_return link_->open();
    }
    bool is_open() const override { return link_->is_open(); }
    bool pipelines() const override { return true; }
    void close() override { link_->close(); }
    std::string describe() const override { return link_->config().port; }

    asio::awaitable<BatchOutcome> run(std::vector<Job>& jobs,
                                      TransactorSettings settings) override {
        BatchOutcome outcome;
        for (std::size_t i = 0; i < jobs.size(); ++i) {
            Job& job = jobs[i];
            auto adu = encode_rtu_request(settings.unit_id, job.request);
            if (!adu) {
                job.result = std::unexpected(adu.error());
                continue;
            }
            for (int attempt = 1;; ++attempt) {
                auto sent = co_await link_->send(*adu, settings.request_delay, settings.timeout);
                if (!sent) {
                    fail_from(jobs, i, sent.error(), outcome);
                    co_return outcome;
                }
                if (settings.unit_id == kBroadcastUnit) {
                    job.result = Response{};  // every slave acts on a broadcast, none answers
                    break;
                }
                auto frame =
                    co_await link_->receive(settings.unit_id, job.request, settings.timeout);
                if (frame) {
                    job.result = decode_rtu_response(settings.unit_id, job.request, *frame);
                    break;
                }
                const std::string& code = frame.error().code;
                if (code == "modbus.timeout") {
                    if (attempt <= settings.retries) continue;
                    job.result =
                        make_error("modbus.timeout", timeout_text(settings.timeout, attempt));
                    ++outcome.timeouts;
                    break;
                }
                if (code == "modbus.crc" || code == "modbus.malformed") {
                    // The slave answered, badly: retrying would only repeat the noise this cycle.
                    if (code == "modbus.crc") ++outcome.crc_errors;
                    job.result = std::unexpected(frame.error());
                    break;
                }
                fail_from(jobs, i, frame.error(), outcome);
                co_return outcome;
            }
        }
        co_return outcome;
    }

private:
    static void fail_from(std::vector<Job>& jobs, std::size_t first, const Error& error,
                          BatchOutcome& outcome) {
        outcome.link_error = error;
        for (std::size_t k = first; k < jobs.size(); ++k) jobs[k].result = std::unexpected(error);
    }

    std::shared_ptr<SerialLink> link_;
};

}  // namespace

std::unique_ptr<Transport> make_tcp_transport(asio::any_io_executor executor, std::string host,
                                              std::uint16_t port) {
    return std::make_unique<TcpTransport>(std::move(executor), std::move(host), port);
}

std::unique_ptr<Transport> make_rtu_transport(asio::any_io_executor executor, SerialConfig config) {
    return std::make_unique<RtuTransport>(std::move(executor), std::move(config));
}

}  // namespace lintel::modbus

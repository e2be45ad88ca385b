// What linteld offers on its control socket. The daemon implements this; ControlServer calls
// it for each accepted request. The JSON each call returns is documented in docs/lintelctl.md
// ("Commands"); lintelctl renders the fields it knows and shows the rest as key: value.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "lintel/error.hpp"
#include "lintel/log.hpp"

namespace lintel::control {

// Every call answers through `reply`, exactly once, with a JSON object or an Error. It may
// answer inline or later, from any thread (the server posts the answer to its loop). The
// server does not wait for ever: after ControlServerOptions::command_timeout the peer gets
// control.timeout and a late answer is dropped. Errors keep their code (e.g. config.invalid);
// use control.not_found for an unknown device. An exception thrown by a call is answered as
// control.internal and logged.
class ControlService {
public:
    using Reply = std::function<void(Expected<nlohmann::json>)>;

    virtual ~ControlService() = default;

    // gateway_id, version, uptime_s, link {state, reason}, queue {points, bytes}, drops,
    // devices [{name, health, detail}], certificate {expires_in_days, not_after},
    // last_command {action, ts, outcome} (or null).
    virtual void status(Reply reply) = 0;
    // points, bytes, oldest_ts, in_flight, drops, ...
    virtual void queue(Reply reply) = 0;
    // {"points": [{device, point, value, unit, quality, ts}]}: the latest value of each point,
    // of one device when `device` is set (control.not_found when there is no such device).
    virtual void points(std::optional<std::string> device, Reply reply) = 0;
    // {"entries": [{ts, source, actor, action, outcome, detail}], "more": bool}: the newest
    // `limit` entries with ts >= since_ms (Unix ms), oldest first; more = some were left out.
    virtual void audit(std::int64_t since_ms, std::uint32_t limit, Reply reply) = 0;
    // {"ok": bool, "errors": ["file:line:col: key: reason", ...], "warnings": [...]}: checks
    // the configuration on disk as --check-config does; does not apply it.
    virtual void check_config(Reply reply) = 0;
    // Re-reads the configuration as SIGHUP does. {"reloaded": true, ...} when applied; an error
    // (config.invalid with the reasons) when rejected and the running one stays.
    virtual void reload(Reply reply) = 0;
    // {"level": "debug", "previous": "info"}. Until the next restart or reload.
    virtual void set_log_level(sdk::LogLevel level, Reply reply) = 0;
};

}  // namespace lintel::control

// Discovery flows of lintel-bacnet-discover (see discover.hpp).
#include "discover.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <map>

#include "batch_reader.hpp"
#include "channel.hpp"
#include "config.hpp"
#include "lintel/config_reader.hpp"
#include "object_list.hpp"
#include "point_map.hpp"

// g++ 12 reports -Wmismatched-new-delete inside asio's coroutine frame allocator (operator new
// and delete of awaitable_frame_base are a matching pair; the warning is a known false positive
// of inlining them into a large coroutine).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace lintel::bacnet::discover {
namespace {

using Clock = std::chrono::steady_clock;

// Sleeps until `deadline` or until `done()` holds (checked whenever the timer is cancelled).
asio::awaitable<void> wait_for(asio::steady_timer& timer, Clock::time_point deadline,
                               const std::function<bool()>& done) {
    while (!done() && Clock::now() < deadline) {
        timer.expires_at(deadline);
        boost::system::error_code ec;
        co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
}

std::string where(const Options& o) {
    if (o.address) return to_string(*o.address);
    if (o.link.bbmd) return "the BBMD at " + to_string(o.link.bbmd->address);
    return to_string(o.link.broadcast);
}

// A string property's text, or "" (the property may not exist: description is optional).
std::string text_of(const Expected<Values>& v) {
    if (!v || v->size() != 1) return "";
    const auto* s = std::get_if<std::string>(&v->front());
    return s != nullptr ? *s : "";
}

asio::awaitable<std::string> device_name(std::shared_ptr<Network> network, const Options& o,
                                         const Peer& peer, std::uint32_t instance) {
    auto channel = std::make_shared<Channel>(network, RequestTiming{o.timeout, o.retries}, 1);
    channel->set_peer(peer);
    auto build = read_property({{ObjectType::device, instance}, {PropertyId::object_name, {}}});
    auto answer = co_await channel->call(std::move(build));
    if (!answer) co_return std::string();
    auto ack = decode_read_property_ack(answer->apdu);
    co_return ack ? text_of(ack->values) : std::string();
}

}  // namespace

asio::awaitable<int> list_devices(std::shared_ptr<Network> network, Options o, sdk::Logger& log,
                                  std::string& out) {
    std::map<std::uint32_t, DiscoveredDevice> found;
    const WhoIs who_is{o.low, o.high};
    asio::steady_timer timer(network->executor());
    const ListenerId listener = network->on_i_am([&](const IAm& i_am, const Peer& from) {
        if (!who_is_matches(who_is, i_am.device.instance)) return;
        found[i_am.device.instance] =
            DiscoveredDevice{i_am.device.instance, from,
                             std::min<std::uint32_t>(i_am.max_apdu, 1476), i_am.vendor_id, ""};
    });
    network->who_is(who_is, o.address ? std::optional<Peer>(Peer{*o.address, {}}) : std::nullopt);
    // Every answer counts: wait the whole time. (Predicates are locals: g++ 12 mishandles
    // temporaries with destructors inside a co_await expression.)
    const std::function<bool()> never = [] { return false; };
    co_await wait_for(timer, Clock::now() + o.wait, never);
    network->remove_listener(listener);
    if (found.empty()) {
        log.warning("no device answered Who-Is (sent to " + where(o) + ", waited " +
                    sdk::format_duration(o.wait) + ")");
        co_return 1;
    }
    std::vector<DiscoveredDevice> devices;
    for (auto& [instance, d] : found) {
        d.name = co_await device_name(network, o, d.peer, instance);
        devices.push_back(d);
    }
    out = render_device_list(std::move(devices));
    co_return 0;
}

asio::awaitable<int> list_objects(std::shared_ptr<Network> network, Options o, sdk::Logger& log,
                                  std::string& out) {
    const std::uint32_t instance = *o.device;
    std::optional<DeviceAddress> found;
    if (const DeviceAddress* known = network->devices().find(instance)) found = *known;
    asio::steady_timer timer(network->executor());
    const ListenerId listener = network->on_i_am([&](const IAm& i_am, const Peer&) {
        if (i_am.device.instance != instance) return;
        found = *network->devices().find(instance);
        timer.cancel();
    });
    if (!found) {
        network->who_is(WhoIs{instance, instance},
                        o.address ? std::optional<Peer>(Peer{*o.address, {}}) : std::nullopt);
        const std::function<bool()> answered = [&] { return found.has_value(); };
        co_await wait_for(timer, Clock::now() + o.wait, answered);
    }
    network->remove_listener(listener);
    if (!found) {
        log.warning("device " + std::to_string(instance) + " did not answer Who-Is (sent to " +
                    where(o) + ", waited " + sdk::format_duration(o.wait) + ")");
        co_return 1;
    }
    const std::string who = "device " + std::to_string(instance);
    auto channel = std::make_shared<Channel>(network, RequestTiming{o.timeout, o.retries}, 2);
    channel->set_peer(found->peer);
    BatchReader reader(channel, who, log);
    reader.set_max_apdu(found->max_apdu);
    auto list = co_await read_object_list(*channel, reader, instance);
    if (!list) {
        log.error("cannot read the object-list of " + who + ": " + list.error().message);
        co_return 1;
    }
    if (list->by_index) {
        log.info("the object-list of " + who + " did not fit one APDU; read element by element");
    }
    // Names, units and descriptions of the objects that become points, and the device's name.
    std::vector<ReadAccessSpec> specs;
    std::vector<ObjectId> asked;
    specs.push_back({{ObjectType::device, instance}, {PropertyRef{PropertyId::object_name, {}}}});
    for (const ObjectId& id : list->objects) {
        if (object_kind(id.type) == ObjectKind::other) continue;
        ReadAccessSpec s{id, {{PropertyId::object_name, {}}, {PropertyId::description, {}}}};
        if (object_kind(id.type) == ObjectKind::analog)
            s.properties.push_back({PropertyId::units, {}});
        specs.push_back(std::move(s));
        asked.push_back(id);
    }
    auto outcome = co_await reader.read(specs);
    DiscoveredDevice device{instance, found->peer, found->max_apdu, found->vendor_id,
                            text_of(outcome.values[0][0])};
    std::vector<DiscoveredObject> objects;
    std::size_t next = 1;
    for (const ObjectId& id : list->objects) {
        DiscoveredObject d{id, "", "", std::nullopt};
        if (next < specs.size() && specs[next].object == id) {
            const auto& v = outcome.values[next++];
            d.name = text_of(v[0]);
            d.description = text_of(v[1]);
            if (v.size() > 2 && v[2] && v[2]->size() == 1) {
                if (auto u = as_int64(v[2]->front()); u && *u >= 0) {
                    d.units = static_cast<std::uint32_t>(*u);
                }
            }
        }
        objects.push_back(std::move(d));
    }
    out = render_point_map(device, objects, list->by_index);
    co_return 0;
}

}  // namespace lintel::bacnet::discover

// Reading a device's object-list with the array-index fallback (see object_list.hpp).
#include "object_list.hpp"

namespace lintel::bacnet {
namespace {

Expected<std::vector<ObjectId>> object_ids(const Values& values) {
    std::vector<ObjectId> out;
    for (const Value& v : values) {
        const auto* id = std::get_if<ObjectId>(&v);
        if (id == nullptr) {
            return make_error(
                "bacnet.malformed",
                "object-list holds a " + std::string(type_name(v)) + ", not an object identifier");
        }
        out.push_back(*id);
    }
    return out;
}

}  // namespace

asio::awaitable<Expected<ObjectList>> read_object_list(Channel& channel, BatchReader& reader,
                                                       std::uint32_t device_instance) {
    const ObjectId device{ObjectType::device, device_instance};
    auto build = read_property({device, {PropertyId::object_list, std::nullopt}});
    auto whole = co_await channel.call(std::move(build));
    Expected<ReadPropertyAck> ack = whole
                                        ? decode_read_property_ack(whole->apdu)
                                        : Expected<ReadPropertyAck>(std::unexpected(whole.error()));
    if (ack) {
        auto ids = object_ids(ack->values);
        if (!ids) co_return std::unexpected(ids.error());
        co_return ObjectList{std::move(*ids), false};
    }
    if (!answer_too_long(ack.error())) co_return std::unexpected(ack.error());

    // Too long for one APDU: the length (index 0), then every element, batched.
    auto length_build = read_property({device, {PropertyId::object_list, 0}});
    auto length_answer = co_await channel.call(std::move(length_build));
    if (!length_answer) co_return std::unexpected(length_answer.error());
    auto length_ack = decode_read_property_ack(length_answer->apdu);
    if (!length_ack) co_return std::unexpected(length_ack.error());
    const auto length =
        length_ack->values.size() == 1 ? as_int64(length_ack->values.front()) : std::nullopt;
    if (!length || *length < 0 || *length > 100000) {
        co_return make_error("bacnet.malformed", "object-list[0] is not a plausible length: " +
                                                     to_text(length_ack->values));
    }
    std::vector<ReadAccessSpec> specs;
    for (std::int64_t i = 1; i <= *length; ++i) {
        specs.push_back(
            {device, {PropertyRef{PropertyId::object_list, static_cast<std::uint32_t>(i)}}});
    }
    auto outcome = co_await reader.read(specs);
    ObjectList list{{}, true};
    for (std::size_t i = 0; i < specs.size(); ++i) {
        const auto& got = outcome.values[i][0];
        if (!got) {
            co_return make_error(got.error().code, "object-list[" + std::to_string(i + 1) +
                                                       "]: " + got.error().message);
        }
        auto ids = object_ids(*got);
        if (!ids) co_return std::unexpected(ids.error());
        list.objects.insert(list.objects.end(), ids->begin(), ids->end());
    }
    co_return list;
}

}  // namespace lintel::bacnet

// A device's object-list, read whole when it fits one APDU, else element by element (index 0 is
// the length): lintel never asks for segmentation, and big controllers have thousands of objects.
#pragma once

#include "lintel/asio.hpp"  // first: the <utility> prelude asio needs

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <vector>

#include "batch_reader.hpp"
#include "channel.hpp"
#include "lintel/error.hpp"

namespace lintel::bacnet {

struct ObjectList {
    std::vector<ObjectId> objects;
    bool by_index = false;  // the whole list did not fit one APDU
};

// Errors: the device's (remote_error), bacnet.timeout, bacnet.malformed for an element that is
// not an object identifier.
asio::awaitable<Expected<ObjectList>> read_object_list(Channel& channel, BatchReader& reader,
                                                       std::uint32_t device_instance);

}  // namespace lintel::bacnet

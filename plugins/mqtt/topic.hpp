// MQTT topic filters as the mqtt driver uses them: syntax check and matching (MQTT 3.1.1 §4.7).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace lintel::mqttdev {

// nullopt when `filter` is a valid subscription filter: not empty, '+' and '#' alone in their
// level, '#' only last. Else why not.
std::optional<std::string> check_filter(std::string_view filter);
// nullopt when `topic` is a valid topic to publish to (no wildcards, not empty).
std::optional<std::string> check_topic(std::string_view topic);
// Whether a published `topic` matches `filter`. Topics starting with '$' match no filter that
// starts with a wildcard (they are the broker's own).
bool topic_matches(std::string_view filter, std::string_view topic);

}  // namespace lintel::mqttdev

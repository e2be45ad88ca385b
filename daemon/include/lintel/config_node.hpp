// A parsed configuration tree that remembers where every value came from (file, line, column,
// key path), so any layer — core or plugin — can report errors the operator can find.
// It carries no YAML library type: plugins depend on this header only.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lintel::sdk {

struct ConfigEntry;

struct Mark {
    std::string file;
    int line = 0;    // 1-based; 0 when unknown
    int column = 0;  // 1-based; 0 when unknown
};

class ConfigNode {
public:
    enum class Kind { null, scalar, sequence, map };

    Kind kind = Kind::null;
    Mark mark;
    std::string path;    // key path from the document root, e.g. "devices[0].points[3].address"
    std::string scalar;  // for Kind::scalar
    std::vector<ConfigNode> items;     // for Kind::sequence
    std::vector<ConfigEntry> entries;  // for Kind::map, in file order

    bool is_map() const { return kind == Kind::map; }
    bool is_sequence() const { return kind == Kind::sequence; }
    bool is_scalar() const { return kind == Kind::scalar; }
    bool is_null() const { return kind == Kind::null; }

    // The value under `key` in a map, or nullptr.
    const ConfigNode* find(std::string_view key) const;
};

// One key of a map. A struct, not std::pair: a pair of an incomplete type inside its own
// definition is rejected by clang.
struct ConfigEntry {
    std::string key;
    ConfigNode value;
    Mark key_mark;  // where the key itself stands (errors about the key point here)
};

// One configuration error, printed as "file:line:col: key.path: reason".
struct ConfigIssue {
    Mark mark;
    std::string path;
    std::string reason;

    std::string to_string() const;
};

// Collects every error of a pass, so the operator sees them all at once, not one per restart.
class ConfigErrors {
public:
    void add(const ConfigNode& at, std::string reason);
    void add(Mark mark, std::string path, std::string reason);

    bool empty() const { return issues_.empty(); }
    std::size_t size() const { return issues_.size(); }
    const std::vector<ConfigIssue>& issues() const { return issues_; }
    void append(const ConfigErrors& other);
    std::string to_string() const;  // one issue per line

private:
    std::vector<ConfigIssue> issues_;
};

}  // namespace lintel::sdk

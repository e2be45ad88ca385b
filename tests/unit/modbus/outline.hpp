// Test helper: builds a marked ConfigNode tree from a tiny YAML-like outline (block maps, lists of
// maps, plain scalars), so config tests read like device files and errors carry real line:col.
// Not a YAML parser: no quoting, flow style, comments or multi-line scalars.
#pragma once

#include <sstream>
#include <string>
#include <vector>

#include "lintel/config_node.hpp"

namespace lintel::modbus::test {

struct OutlineLine {
    int number = 0;  // 1-based
    int indent = 0;
    std::string text;
};

class Outline {
public:
    // `text`'s first line is line 1 of `file`; `root_path` prefixes every key path.
    static sdk::ConfigNode parse(const std::string& text, std::string file = "devices.d/meter.yaml",
                                 std::string root_path = "devices[0]") {
        Outline o;
        o.file_ = std::move(file);
        std::istringstream in(text);
        std::string line;
        int number = 0;
        while (std::getline(in, line)) {
            ++number;
            const auto first = line.find_first_not_of(' ');
            if (first == std::string::npos) continue;
            o.lines_.push_back(OutlineLine{number, static_cast<int>(first), line.substr(first)});
        }
        std::size_t i = 0;
        if (o.lines_.empty()) {
            sdk::ConfigNode empty;
            empty.path = root_path;
            return empty;
        }
        return o.map(i, o.lines_[0].indent, root_path);
    }

private:
    sdk::Mark mark(const OutlineLine& l, int column) const {
        return sdk::Mark{file_, l.number, column};
    }

    static std::string join(const std::string& path, const std::string& key) {
        return path.empty() ? key : path + "." + key;
    }

    sdk::ConfigNode map(std::size_t& i, int indent, const std::string& path) {
        sdk::ConfigNode node;
        node.kind = sdk::ConfigNode::Kind::map;
        node.path = path;
        node.mark = mark(lines_[i], indent + 1);
        while (i < lines_.size() && lines_[i].indent == indent &&
               !lines_[i].text.starts_with("- ")) {
            const OutlineLine& l = lines_[i];
            const auto colon = l.text.find(':');
            const std::string key = l.text.substr(0, colon);
            std::size_t value_at = colon + 1;
            while (value_at < l.text.size() && l.text[value_at] == ' ') ++value_at;
            sdk::ConfigNode child;
            child.path = join(path, key);
            ++i;
            if (value_at < l.text.size()) {
                child.kind = sdk::ConfigNode::Kind::scalar;
                child.scalar = l.text.substr(value_at);
                child.mark = mark(l, l.indent + static_cast<int>(value_at) + 1);
            } else if (i < lines_.size() && lines_[i].indent > indent) {
                child = lines_[i].text.starts_with("- ") ? sequence(i, lines_[i].indent, child.path)
                                                         : map(i, lines_[i].indent, child.path);
            } else if (i < lines_.size() && lines_[i].indent == indent &&
                       lines_[i].text.starts_with("- ")) {
                child = sequence(i, indent, child.path);  // "key:\n- item" at the same indent
            } else {
                child.mark = mark(l, l.indent + static_cast<int>(colon) + 2);
            }
            node.entries.push_back({key, std::move(child), mark(l, l.indent + 1)});
        }
        return node;
    }

    sdk::ConfigNode sequence(std::size_t& i, int indent, const std::string& path) {
        sdk::ConfigNode node;
        node.kind = sdk::ConfigNode::Kind::sequence;
        node.path = path;
        node.mark = mark(lines_[i], indent + 1);
        while (i < lines_.size() && lines_[i].indent == indent &&
               lines_[i].text.starts_with("- ")) {
            // "- key: value" opens a map whose keys sit two columns further in.
            lines_[i].text = lines_[i].text.substr(2);
            lines_[i].indent += 2;
            const std::string item_path = path + "[" + std::to_string(node.items.size()) + "]";
            node.items.push_back(map(i, indent + 2, item_path));
        }
        return node;
    }

    std::string file_;
    std::vector<OutlineLine> lines_;
};

}  // namespace lintel::modbus::test

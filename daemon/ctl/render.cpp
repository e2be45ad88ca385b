// Table rendering of control results (see docs/lintelctl.md for sample output).
#include "ctl/render.hpp"

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <set>
#include <string_view>

#include <fmt/format.h>

#include "ctl/time_text.hpp"

namespace lintel::ctl {
namespace {

using nlohmann::json;

std::optional<std::int64_t> as_int(const json& v) {
    if (v.is_number_unsigned()) {
        const auto u = v.get<std::uint64_t>();
        if (u > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
        return static_cast<std::int64_t>(u);
    }
    if (v.is_number_integer()) return v.get<std::int64_t>();
    return std::nullopt;
}

// Any JSON value as one line of text.
std::string text_of(const json& v) {
    if (v.is_string()) return terminal_safe(v.get_ref<const std::string&>());
    if (v.is_null()) return "-";
    if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
    if (v.is_number_float()) return fmt::format("{}", v.get<double>());
    if (v.is_number()) return v.dump();
    if (v.is_array() &&
        std::all_of(v.begin(), v.end(), [](const json& e) { return e.is_primitive(); })) {
        std::string out;
        for (const auto& e : v) out += (out.empty() ? "" : ", ") + text_of(e);
        return out.empty() ? "-" : out;
    }
    return terminal_safe(v.dump(-1, ' ', false, json::error_handler_t::replace));
}

std::string time_of(const json& v) {
    if (auto ms = as_int(v)) return format_timestamp(*ms);
    return text_of(v);
}

std::size_t display_width(std::string_view s) {
    std::size_t n = 0;
    for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
    return n;
}

// The fields of one result object: what a renderer takes (with the type it expects) is laid
// out by it; everything else is left for rest().
class Fields {
public:
    explicit Fields(const json& object) : object_(object) {}

    const json* get(std::string_view key, bool (*accept)(const json&)) {
        if (!object_.is_object()) return nullptr;
        auto it = object_.find(key);
        if (it == object_.end() || !accept(*it)) return nullptr;
        taken_.insert(std::string(key));
        return &*it;
    }
    std::optional<std::string> str(std::string_view key) {
        const json* v = get(key, [](const json& j) { return j.is_string(); });
        if (!v) return std::nullopt;
        return terminal_safe(v->get_ref<const std::string&>());
    }
    std::optional<std::int64_t> integer(std::string_view key) {
        const json* v = get(key, [](const json& j) { return as_int(j).has_value(); });
        if (!v) return std::nullopt;
        return as_int(*v);
    }
    const json* object(std::string_view key) {
        return get(key, [](const json& j) { return j.is_object(); });
    }
    const json* array(std::string_view key) {
        return get(key, [](const json& j) { return j.is_array(); });
    }
    const json* any(std::string_view key) {
        return get(key, [](const json&) { return true; });
    }
    void give_back(std::string_view key) { taken_.erase(std::string(key)); }

    // Fields nobody took, as "key: value" lines.
    std::string rest() const {
        std::string out;
        if (!object_.is_object()) return out;
        for (const auto& [key, value] : object_.items()) {
            if (taken_.count(key) == 0) out += terminal_safe(key) + ": " + text_of(value) + "\n";
        }
        return out;
    }
    // The same on one line, for the last column of a table row: "key=value, key=value".
    std::string rest_inline() const {
        std::string out;
        if (!object_.is_object()) return out;
        for (const auto& [key, value] : object_.items()) {
            if (taken_.count(key) != 0) continue;
            out += (out.empty() ? "" : ", ") + terminal_safe(key) + "=" + text_of(value);
        }
        return out;
    }

private:
    const json& object_;
    std::set<std::string> taken_;
};

// "label  value" lines with the values aligned.
class Block {
public:
    void add(std::string label, std::string value) {
        rows_.emplace_back(std::move(label), std::move(value));
    }
    std::string text() const {
        std::size_t width = 0;
        for (const auto& [label, value] : rows_) width = std::max(width, display_width(label));
        std::string out;
        for (const auto& [label, value] : rows_) {
            out += label + std::string(width - display_width(label) + 2, ' ') + value + "\n";
        }
        return out;
    }
    bool empty() const { return rows_.empty(); }

private:
    std::vector<std::pair<std::string, std::string>> rows_;
};

// Sections separated by one blank line; empty ones left out.
std::string join_sections(std::initializer_list<std::string> sections) {
    std::string out;
    for (const auto& s : sections) {
        if (s.empty()) continue;
        if (!out.empty()) out += "\n";
        out += s;
    }
    return out;
}

std::string cell(std::optional<std::string> value) {
    return value && !value->empty() ? *value : "-";
}

std::string render_devices(const json& devices) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& device : devices) {
        Fields f(device);
        auto name = f.str("name");
        auto health = f.str("health");
        std::string detail = cell(f.str("detail"));
        if (const json* last = f.any("last_ok_ts")) detail += ", last ok " + time_of(*last);
        if (auto more = f.rest_inline(); !more.empty()) {
            detail = detail == "-" ? more : detail + "; " + more;
        }
        rows.push_back({cell(name), cell(health), detail});
    }
    if (rows.empty()) return "no devices configured\n";
    return render_table({"DEVICE", "HEALTH", "DETAIL"}, rows);
}

}  // namespace

std::string terminal_safe(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto u = static_cast<unsigned char>(text[i]);
        if (u < 0x20 || u == 0x7f) {
            out += '?';
        } else if (u == 0xC2 && i + 1 < text.size() &&
                   static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
                   static_cast<unsigned char>(text[i + 1]) <= 0x9f) {
            out += '?';  // U+0080..U+009F: C1 controls (0x9b is CSI on some terminals)
            ++i;
        } else {
            out += static_cast<char>(u);
        }
    }
    return out;
}

std::string render_table(const std::vector<std::string>& headers,
                         const std::vector<std::vector<std::string>>& rows,
                         const std::vector<bool>& right) {
    std::vector<std::size_t> width(headers.size(), 0);
    for (std::size_t c = 0; c < headers.size(); ++c) width[c] = display_width(headers[c]);
    for (const auto& row : rows) {
        for (std::size_t c = 0; c < row.size() && c < width.size(); ++c) {
            width[c] = std::max(width[c], display_width(row[c]));
        }
    }
    auto line = [&](const std::vector<std::string>& cells) {
        std::string out;
        for (std::size_t c = 0; c < headers.size(); ++c) {
            const std::string& text = c < cells.size() ? cells[c] : std::string();
            const std::size_t pad = width[c] - display_width(text);
            const bool last = c + 1 == headers.size();
            if (c > 0) out += "  ";
            if (c < right.size() && right[c]) {
                out += std::string(pad, ' ') + text;
            } else {
                out += text;
                if (!last) out += std::string(pad, ' ');
            }
        }
        return out + "\n";
    };
    std::string out = line(headers);
    for (const auto& row : rows) out += line(row);
    return out;
}

namespace {

// One line per managed interface of delivered credentials: metadata only (linteld sends no
// secret), e.g. "credentials eth1  authorized since ..., bundle cred-7, identity gw-1, ...".
void add_credentials(Block& b, const json& entry) {
    Fields c(entry);
    const std::string name = c.str("interface").value_or("?");
    std::string text = c.str("state").value_or("?");
    if (const json* since = c.any("since"); since != nullptr && as_int(*since).value_or(0) > 0) {
        text += " since " + time_of(*since);
    }
    if (auto detail = c.str("detail")) text += " (" + *detail + ")";
    if (auto type = c.str("type")) text += ", " + *type;
    if (auto bundle = c.str("bundle_id")) text += ", bundle " + *bundle;
    (void)c.any("bundle_id");
    if (auto method = c.str("method")) text += " (" + *method + ")";
    if (auto identity = c.str("identity")) text += ", identity " + *identity;
    if (auto ssid = c.str("ssid")) text += ", ssid " + *ssid;
    if (const json* attached = c.any("attached"); attached && *attached == false) {
        text += ", wpa_supplicant not reachable";
    }
    (void)c.any("client_cert_subject");  // the expiry is what an operator acts on
    if (const json* until = c.any("client_cert_not_after")) {
        text += ", client cert until " + time_of(*until);
    }
    if (const json* last = c.object("last_result")) {
        Fields l(*last);
        text += "; last set-credentials " + l.str("outcome").value_or("?");
        if (auto reason = l.str("reason")) text += " (" + *reason + ")";
    } else {
        (void)c.any("last_result");
    }
    if (auto more = c.rest_inline(); !more.empty()) text += "; " + more;
    b.add("credentials " + name, text);
}

}  // namespace

std::string render_status(const json& result) {
    Fields f(result);
    Block b;
    if (auto id = f.str("gateway_id")) b.add("gateway", *id);
    if (auto version = f.str("version")) b.add("version", *version);
    if (auto uptime = f.integer("uptime_s")) b.add("uptime", format_uptime(*uptime));
    if (const json* link = f.object("link")) {
        Fields l(*link);
        if (auto state = l.str("state")) {
            std::string text = *state;
            if (auto reason = l.str("reason"); reason && !reason->empty()) {
                text += " (" + *reason + ")";
            }
            if (auto more = l.rest_inline(); !more.empty()) text += "; " + more;
            b.add("link", text);
        } else {
            f.give_back("link");
        }
    }
    if (const json* queue = f.object("queue")) {
        Fields q(*queue);
        auto points = q.integer("points");
        auto bytes = q.integer("bytes");
        if (points && bytes && *bytes >= 0) {
            std::string text = fmt::format("{} points, {}", *points,
                                           format_bytes(static_cast<std::uint64_t>(*bytes)));
            if (auto more = q.rest_inline(); !more.empty()) text += "; " + more;
            b.add("queue", text);
        } else {
            f.give_back("queue");
        }
    }
    if (auto drops = f.integer("drops")) b.add("drops", std::to_string(*drops));
    if (auto held = f.integer("points_suppressed"))
        b.add("suppressed", std::to_string(*held) + " values (report by exception)");
    if (const json* cert = f.object("certificate")) {
        Fields c(*cert);
        if (auto days = c.integer("expires_in_days")) {
            std::string text = *days < 0    ? fmt::format("EXPIRED {} days ago", -*days)
                               : *days == 0 ? std::string("expires today")
                                            : fmt::format("expires in {} days", *days);
            if (const json* not_after = c.any("not_after"))
                text += " (" + time_of(*not_after) + ")";
            if (*days >= 0 && *days < 30) text += ", renew soon";
            if (auto more = c.rest_inline(); !more.empty()) text += "; " + more;
            b.add("certificate", text);
        } else {
            f.give_back("certificate");
        }
    }
    if (const json* last = f.any("last_command")) {
        if (last->is_null()) {
            b.add("last command", "none");
        } else if (last->is_object()) {
            Fields c(*last);
            std::string text = cell(c.str("action"));
            if (const json* ts = c.any("ts")) text += " at " + time_of(*ts);
            if (auto outcome = c.str("outcome")) text += ": " + *outcome;
            if (auto more = c.rest_inline(); !more.empty()) text += "; " + more;
            b.add("last command", text);
        } else {
            f.give_back("last_command");
        }
    }
    if (const json* list = f.array("credentials")) {
        for (const auto& entry : *list) add_credentials(b, entry);
    } else if (const json* none = f.any("credentials"); none != nullptr && !none->is_null()) {
        f.give_back("credentials");
    }
    std::string devices;
    if (const json* list = f.array("devices")) devices = render_devices(*list);
    return join_sections({b.text(), devices, f.rest()});
}

std::string render_queue(const json& result) {
    Fields f(result);
    Block b;
    if (auto points = f.integer("points")) b.add("points", std::to_string(*points));
    if (auto bytes = f.integer("bytes"); bytes && *bytes >= 0) {
        b.add("bytes", format_bytes(static_cast<std::uint64_t>(*bytes)));
    } else if (bytes) {
        f.give_back("bytes");
    }
    if (const json* oldest = f.any("oldest_ts")) {
        b.add("oldest", oldest->is_null() ? "-" : time_of(*oldest));
    }
    if (auto in_flight = f.integer("in_flight")) b.add("in flight", std::to_string(*in_flight));
    if (auto drops = f.integer("drops")) b.add("drops", std::to_string(*drops));
    return join_sections({b.text(), f.rest()});
}

std::string render_points(const json& result) {
    Fields f(result);
    const json* list = f.array("points");
    if (!list) return f.rest();
    std::vector<std::vector<std::string>> rows;
    for (const auto& point : *list) {
        Fields p(point);
        const json* value = p.any("value");
        const json* ts = p.any("ts");
        std::vector<std::string> row = {cell(p.str("device")),         cell(p.str("point")),
                                        value ? text_of(*value) : "-", cell(p.str("unit")),
                                        cell(p.str("quality")),        ts ? time_of(*ts) : "-"};
        if (auto more = p.rest_inline(); !more.empty()) row[5] += "  " + more;
        rows.push_back(std::move(row));
    }
    std::string table = rows.empty()
                            ? std::string("no points\n")
                            : render_table({"DEVICE", "POINT", "VALUE", "UNIT", "QUALITY", "TIME"},
                                           rows, {false, false, true});
    return join_sections({table, f.rest()});
}

std::string render_audit(const json& result) {
    Fields f(result);
    const json* list = f.array("entries");
    if (!list) return f.rest();
    std::vector<std::vector<std::string>> rows;
    for (const auto& entry : *list) {
        Fields e(entry);
        const json* ts = e.any("ts");
        std::vector<std::string> row = {ts ? time_of(*ts) : "-", cell(e.str("source")),
                                        cell(e.str("actor")),    cell(e.str("action")),
                                        cell(e.str("outcome")),  cell(e.str("detail"))};
        if (auto more = e.rest_inline(); !more.empty()) {
            row[5] = row[5] == "-" ? more : row[5] + "; " + more;
        }
        rows.push_back(std::move(row));
    }
    std::string table =
        rows.empty()
            ? std::string("no audit entries\n")
            : render_table({"TIME", "SOURCE", "ACTOR", "ACTION", "OUTCOME", "DETAIL"}, rows);
    std::string more;
    if (const json* flag = f.get("more", [](const json& j) { return j.is_boolean(); })) {
        if (flag->get<bool>()) more = "(older entries left out: raise --limit or narrow --since)\n";
    }
    return join_sections({table + more, f.rest()});
}

bool config_check_failed(const json& result) {
    auto ok = result.find("ok");
    return result.is_object() && ok != result.end() && ok->is_boolean() && !ok->get<bool>();
}

std::string render_check_config(const json& result) {
    Fields f(result);
    std::string out;
    auto list = [](const json* items, std::string_view label) {
        std::string text;
        if (!items) return text;
        for (const auto& item : *items) {
            std::string line;
            if (item.is_object()) {
                // {file, line, column, key, message}: the form linteld --check-config prints.
                Fields i(item);
                auto file = i.str("file");
                auto line_no = i.integer("line");
                auto column = i.integer("column");
                auto key = i.str("key");
                auto message = i.str("message");
                if (file) line += *file + ":";
                if (line_no) line += std::to_string(*line_no) + ":";
                if (column) line += std::to_string(*column) + ":";
                if (!line.empty()) line += " ";
                if (key) line += *key + ": ";
                line += cell(message);
                if (auto more = i.rest_inline(); !more.empty()) line += " (" + more + ")";
            } else {
                line = text_of(item);
            }
            text += std::string(label) + ": " + line + "\n";
        }
        return text;
    };
    const json* ok = f.get("ok", [](const json& j) { return j.is_boolean(); });
    const json* errors = f.array("errors");
    const json* warnings = f.array("warnings");
    const std::size_t n_errors = errors ? errors->size() : 0;
    if (ok && ok->get<bool>()) {
        out = "configuration ok";
        if (warnings && !warnings->empty()) {
            out +=
                fmt::format(" ({} warning{})", warnings->size(), warnings->size() == 1 ? "" : "s");
        }
        out += "\n";
    } else if (ok) {
        out =
            fmt::format("configuration invalid ({} error{})\n", n_errors, n_errors == 1 ? "" : "s");
    }
    out += list(errors, "error") + list(warnings, "warning");
    return join_sections({out, f.rest()});
}

std::string render_reload(const json& result) {
    Fields f(result);
    std::string head;
    if (const json* done = f.get("reloaded", [](const json& j) { return j.is_boolean(); })) {
        head = done->get<bool>() ? "configuration reloaded\n" : "configuration not reloaded\n";
    }
    return join_sections({head, f.rest()});
}

std::string render_log_level(const json& result) {
    Fields f(result);
    std::string head;
    if (auto level = f.str("level")) {
        head = "log level " + *level;
        if (auto previous = f.str("previous")) head += " (was " + *previous + ")";
        head += "\n";
    }
    return join_sections({head, f.rest()});
}

std::string render(control::Command command, const json& result) {
    std::string out;
    switch (command) {
        case control::Command::status:
            out = render_status(result);
            break;
        case control::Command::queue:
            out = render_queue(result);
            break;
        case control::Command::points:
            out = render_points(result);
            break;
        case control::Command::audit:
            out = render_audit(result);
            break;
        case control::Command::check_config:
            out = render_check_config(result);
            break;
        case control::Command::reload:
            out = render_reload(result);
            break;
        case control::Command::log_level:
            out = render_log_level(result);
            break;
    }
    return out.empty() ? std::string("ok\n") : out;
}

}  // namespace lintel::ctl

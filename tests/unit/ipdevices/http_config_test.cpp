// Unit tests of the http driver's device config: defaults, every key, and the errors an operator
// sees for each kind of mistake.
#include <gtest/gtest.h>

#include <string>

#include "config.hpp"
#include "core/yaml_loader.hpp"

namespace lintel::http {
namespace {

std::optional<DeviceConfig> parse(const std::string& yaml, std::string* errors_out = nullptr) {
    sdk::ConfigErrors errors;
    auto root = core::load_yaml_string(yaml, "plug.yaml", errors);
    std::optional<DeviceConfig> config;
    if (root) config = parse_device_config(*root, errors);
    if (errors_out != nullptr) *errors_out = errors.to_string();
    EXPECT_EQ(config.has_value(), errors.empty()) << errors.to_string();
    return config;
}

std::string errors_of(const std::string& yaml) {
    std::string errors;
    EXPECT_FALSE(parse(yaml, &errors));
    return errors;
}

const std::string k_point = "points:\n  - {name: t, pointer: /t}\n";

TEST(HttpConfig, DefaultsAndEveryKey) {
    auto d = parse("url: http://10.0.0.7/status\n" + k_point);
    ASSERT_TRUE(d);
    EXPECT_FALSE(d->url.tls);
    EXPECT_EQ(d->url.port, 80);
    EXPECT_EQ(d->url.target, "/status");
    EXPECT_EQ(d->method, Method::get);
    EXPECT_EQ(d->timeout, std::chrono::seconds(5));
    EXPECT_EQ(d->poll_interval, std::chrono::seconds(10));

    auto full = parse(R"(
url: https://plug.local:8443/rpc
method: POST
headers: {Content-Type: application/json, X-Api: v2}
body: '{"id":1,"method":"Switch.GetStatus"}'
basic_auth: {username: admin, password_file: /etc/lintel/secrets/plug.pass}
tls: {ca_file: /etc/lintel/plug-ca.pem, cert_file: /etc/lintel/c.pem, key_file: /etc/lintel/c.key}
timeout: 2s
poll_interval: 30s
write: {method: POST, url: "https://plug.local:8443/rpc/{{point}}", body: '{"v":{{value}}}'}
points:
  - {name: on, pointer: /result/output, type: bool, writable: true}
)");
    ASSERT_TRUE(full);
    EXPECT_TRUE(full->url.tls);
    EXPECT_EQ(full->url.port, 8443);
    EXPECT_EQ(full->method, Method::post);
    ASSERT_EQ(full->headers.size(), 2U);
    EXPECT_EQ(full->headers[1].first, "X-Api");
    EXPECT_EQ(full->basic_auth->username, "admin");
    EXPECT_EQ(full->tls.ca_file, "/etc/lintel/plug-ca.pem");
    EXPECT_EQ(full->poll_interval, std::chrono::seconds(30));
    ASSERT_NE(full->write_for(full->points[0]), nullptr);
}

TEST(HttpConfig, ErrorsSayWhatIsWrong) {
    EXPECT_NE(errors_of("url: ftp://x/\n" + k_point).find("only http:// and https://"),
              std::string::npos);
    EXPECT_NE(errors_of("url: https://x/\n" + k_point).find("needs tls.ca_file"),
              std::string::npos);
    EXPECT_NE(errors_of("url: http://x/\ntls: {insecure: true}\n" + k_point)
                  .find("tls applies only to https"),
              std::string::npos);
    EXPECT_NE(errors_of("url: http://x/\nbody: '{}'\n" + k_point).find("GET request sends no body"),
              std::string::npos);
    EXPECT_NE(errors_of("url: http://x/\nheaders: {Host: evil}\n" + k_point).find("set by lintel"),
              std::string::npos);
    EXPECT_NE(errors_of("url: http://user:pw@x/\n" + k_point).find("user info"), std::string::npos);
    EXPECT_NE(errors_of("url: http://x/\npoints:\n  - {name: t, pointer: /t, writable: true}\n")
                  .find("needs a write"),
              std::string::npos);
    EXPECT_NE(errors_of("url: http://x/\npoints:\n  - {name: t, pointer: /t, type: string, "
                        "writable: true, write: {body: '{\"v\":\"{{value}}\"}'}}\n")
                  .find("{{value}} adds quotes"),
              std::string::npos);
    EXPECT_NE(errors_of("url: http://x/\npoints:\n  - {name: t, pointer: /t, write: {}}\n")
                  .find("write needs writable: true"),
              std::string::npos);
    EXPECT_NE(errors_of("url: http://x/\npoints:\n  - {name: t, pointer: /t}\n  - {name: t, "
                        "pointer: /u}\n")
                  .find("used twice"),
              std::string::npos);
    const std::string unknown = errors_of("url: http://x/\npoll: 5s\n" + k_point);
    EXPECT_NE(unknown.find("plug.yaml:2:1"), std::string::npos) << unknown;
    EXPECT_NE(unknown.find("poll"), std::string::npos);
}

}  // namespace
}  // namespace lintel::http

// linteld: parses the command line and hands over to the app. Nothing else lives here.
#include <CLI/CLI.hpp>

#include <iostream>

#include "app/app.hpp"

#ifndef LINTEL_DEFAULT_PLUGIN_DIR
#define LINTEL_DEFAULT_PLUGIN_DIR "/usr/lib/lintel/plugins"
#endif

int main(int argc, char** argv) {
    CLI::App cli{"linteld - lintel building gateway daemon"};
    std::string config_path = "/etc/lintel/lintel.yaml";
    std::string check_path;
    bool show_version = false;
    cli.add_option("-c,--config", config_path, "configuration file")->capture_default_str();
    cli.add_option("--check-config", check_path,
                   "validate this configuration (and devices.d) and exit: 0 valid, 78 invalid");
    cli.add_flag("-V,--version", show_version, "print the version and exit");
    try {
        cli.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return cli.exit(e);
    }

    if (show_version) {
        std::cout << "linteld " << lintel::app::version_string() << '\n';
        return 0;
    }
    lintel::app::RunOptions options{check_path.empty() ? config_path : check_path,
                                    LINTEL_DEFAULT_PLUGIN_DIR};
    if (!check_path.empty()) return lintel::app::check_config(options);
    return lintel::app::run_daemon(options);
}

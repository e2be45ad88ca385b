// The rauc handler against the real rauc (Debian's 1.8): a private D-Bus system bus, `rauc
// service` with two file-backed raw slots (A/B) and a custom bootloader backend that keeps its
// state in files, real signed bundles. A "reboot" restarts the service with the other slot as
// booted. Install, commit before and after the reboot, rollback before and after the reboot.
#include <unistd.h>

#include <gtest/gtest.h>

#include <optional>

#include "ota_fixture.hpp"
#include "support/files.hpp"
#include "support/process.hpp"
#include "support/wait.hpp"

namespace lintel::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using nlohmann::json;

bool have(const char* program) {
    return ::access((std::string("/usr/bin/") + program).c_str(), X_OK) == 0;
}

class OtaRauc : public OtaFixture {
protected:
    void SetUp() override {
        if (::geteuid() != 0) GTEST_SKIP() << "rauc mounts bundles: needs root (CI runs as root)";
        if (!have("rauc") || !have("mksquashfs") || !have("dbus-daemon")) {
            GTEST_SKIP() << "needs rauc, squashfs-tools and dbus (apt-get build-dep ./)";
        }
        OtaFixture::SetUp();
        fs::create_directories(rauc_dir() / "boot");
        fs::create_directories(rauc_dir() / "data");
        // Bundles are mounted here, not in /mnt/rauc: tests run in parallel.
        fs::create_directories(rauc_dir() / "mnt");
        write_config();
        make_keys();
        start_bus();
        boot("A");
        start_ota_helper({"rauc.system_bus=" + bus_address(),
                          "rauc.conf=" + (rauc_dir() / "system.conf").string()});
    }
    void TearDown() override {
        if (service_) service_->terminate(5s);
        if (bus_) bus_->terminate(2s);
        OtaFixture::TearDown();
    }

    fs::path rauc_dir() const { return dir_ / "rauc"; }
    std::string bus_address() const { return "unix:path=" + (rauc_dir() / "bus.sock").string(); }
    std::string boot_state(const std::string& file) {
        return read_file(rauc_dir() / "boot" / file).value_or("(unset)\n");
    }

    void write_config() {
        const std::string d = rauc_dir().string();
        ASSERT_TRUE(
            write_file(rauc_dir() / "bus.conf",
                       "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus "
                       "Configuration 1.0//EN\" "
                       "\"http://www.freedesktop.org/standards/dbus/1.0/"
                       "busconfig.dtd\">\n<busconfig><type>system</type><listen>unix:path=" +
                           d +
                           "/bus.sock</listen><auth>EXTERNAL</auth><policy "
                           "context=\"default\"><allow user=\"*\"/><allow own=\"*\"/>"
                           "<allow send_destination=\"*\" eavesdrop=\"true\"/>"
                           "<allow eavesdrop=\"true\"/></policy></busconfig>\n"));
        // get-/set-primary and get-/set-state: the whole custom bootloader interface.
        ASSERT_TRUE(write_file(rauc_dir() / "bootloader.sh",
                               "#!/bin/sh\nd=" + d +
                                   "/boot\ncase \"$1\" in\n"
                                   "get-primary) cat \"$d/primary\" ;;\n"
                                   "set-primary) echo \"$2\" > \"$d/primary\" ;;\n"
                                   "get-state) cat \"$d/state.$2\" 2>/dev/null || echo good ;;\n"
                                   "set-state) echo \"$3\" > \"$d/state.$2\" ;;\n"
                                   "*) exit 1 ;;\nesac\n",
                               0755));
        ASSERT_TRUE(write_file(rauc_dir() / "boot/primary", "A\n"));
        ASSERT_TRUE(write_file(
            rauc_dir() / "system.conf",
            "[system]\ncompatible=lintel-test\nbootloader=custom\ndata-directory=" + d +
                "/data\nmountprefix=" + d + "/mnt\n\n[handlers]\nbootloader-custom-backend=" + d +
                "/bootloader.sh\n\n[keyring]\npath=" + d +
                "/cert.pem\n\n"
                "[slot.rootfs.0]\ndevice=" +
                d +
                "/slotA.img\ntype=raw\nbootname=A\n\n"
                "[slot.rootfs.1]\ndevice=" +
                d + "/slotB.img\ntype=raw\nbootname=B\n"));
        for (auto slot : {"slotA.img", "slotB.img"}) {
            ASSERT_TRUE(write_file(rauc_dir() / slot, std::string(256 * 1024, '\0')));
        }
    }

    void make_keys() {
        const auto made = run_program(dir_.path(), {"openssl",
                                                    "req",
                                                    "-x509",
                                                    "-newkey",
                                                    "ec",
                                                    "-pkeyopt",
                                                    "ec_paramgen_curve:prime256v1",
                                                    "-nodes",
                                                    "-keyout",
                                                    (rauc_dir() / "key.pem").string(),
                                                    "-out",
                                                    (rauc_dir() / "cert.pem").string(),
                                                    "-days",
                                                    "2",
                                                    "-subj",
                                                    "/CN=lintel rauc test",
                                                    "-addext",
                                                    "basicConstraints=critical,CA:TRUE",
                                                    "-addext",
                                                    "keyUsage=digitalSignature,keyCertSign"});
        ASSERT_EQ(made.status, "exit 0") << made.err;
    }

    void start_bus() {
        auto bus = Process::spawn(
            ProcessOptions::of({"dbus-daemon",
                                "--config-file=" + (rauc_dir() / "bus.conf").string(), "--nofork",
                                "--nopidfile"})
                .with_stderr(Output::to_file(rauc_dir() / "bus.log")));
        ASSERT_TRUE(bus) << bus.error().message;
        bus_ = std::move(*bus);
        ASSERT_TRUE(wait_until([&] { return fs::exists(rauc_dir() / "bus.sock"); }, 5s));
    }

    // (Re)starts `rauc service` as if the machine had booted slot `bootname`.
    void boot(const std::string& bootname) {
        if (service_) service_->terminate(5s);
        auto service =
            Process::spawn(ProcessOptions::of({"rauc", "service",
                                               "--conf=" + (rauc_dir() / "system.conf").string(),
                                               "--override-boot-slot=" + bootname})
                               .with_env("DBUS_SYSTEM_BUS_ADDRESS", bus_address())
                               .with_stdout(Output::append_to_file(rauc_dir() / "service.log"))
                               .with_stderr(Output::append_to_file(rauc_dir() / "service.log")));
        ASSERT_TRUE(service) << service.error().message;
        service_ = std::move(*service);
        ASSERT_TRUE(wait_until(
            [&] {
                return run_program(dir_.path(), {"rauc", "status"}, 5s,
                                   {{"DBUS_SYSTEM_BUS_ADDRESS", bus_address()}})
                           .status == "exit 0";
            },
            15s, 100ms))
            << read_file(rauc_dir() / "service.log").value_or("");
    }

    // A signed bundle whose image is 64 KiB of `fill`, staged for the helper.
    json bundle(const std::string& version, char fill) {
        const fs::path content = rauc_dir() / ("content-" + version);
        fs::create_directories(content);
        EXPECT_TRUE(write_file(content / "rootfs.img", std::string(64 * 1024, fill)));
        EXPECT_TRUE(write_file(content / "manifest.raucm",
                               "[update]\ncompatible=lintel-test\nversion=" + version +
                                   "\n\n[bundle]\nformat=plain\n\n[image.rootfs]\n"
                                   "filename=rootfs.img\n"));
        const fs::path out = staging_dir() / ("system-" + version + ".raucb");
        const auto made = run_program(
            dir_.path(),
            {"rauc", "bundle", "--cert=" + (rauc_dir() / "cert.pem").string(),
             "--key=" + (rauc_dir() / "key.pem").string(), content.string(), out.string()});
        EXPECT_EQ(made.status, "exit 0") << made.err;
        return artifact_for(out, "bundle");
    }

    std::string slot_head(const char* slot, std::size_t n = 4) {
        return read_file(rauc_dir() / slot).value_or("").substr(0, n);
    }

    Expected<json> install(const json& artifact, const std::string& version) {
        return request("ota-install",
                       with_manifest(params("rauc", "system", version,
                                            {{"artifacts", json::array({artifact})}})));
    }

    std::optional<Process> bus_;
    std::optional<Process> service_;
};

TEST_F(OtaRauc, InstallRebootCommitThenRollbackBeforeAndAfterTheReboot) {
    auto none = request("ota-installed-version", params("rauc", "system"));
    ASSERT_TRUE(none) << describe(none);
    EXPECT_TRUE(none->at("version").is_null());  // slot A was never written by rauc
    EXPECT_EQ(none->at("details").at("booted"), "A");

    // 2.0 goes into the other slot (B) and becomes primary; it runs after a reboot.
    auto two = install(bundle("2.0", 'b'), "2.0");
    ASSERT_TRUE(two) << describe(two) << read_file(rauc_dir() / "service.log").value_or("");
    EXPECT_EQ(two->at("reboot_required"), true);
    EXPECT_EQ(slot_head("slotB.img"), "bbbb");
    EXPECT_EQ(boot_state("primary"), "B\n");
    auto early = request("ota-commit", params("rauc", "system", "2.0"));
    ASSERT_FALSE(early);
    EXPECT_EQ(early.error().code, "ota.not_booted");

    boot("B");
    auto running = request("ota-installed-version", params("rauc", "system"));
    ASSERT_TRUE(running) << describe(running);
    EXPECT_EQ(running->at("version"), "2.0");
    ASSERT_EQ(run_program(dir_.path(),
                          {"sh", "-c", "echo bad > " + (rauc_dir() / "boot/state.B").string()})
                  .status,
              "exit 0");
    auto committed = request("ota-commit", params("rauc", "system", "2.0"));
    ASSERT_TRUE(committed) << describe(committed);
    EXPECT_EQ(boot_state("state.B"), "good\n");  // mark-good reached the bootloader

    // 3.0 into A, then rolled back before rebooting: A must never boot, B stays primary.
    const json three = bundle("3.0", 'c');
    ASSERT_TRUE(install(three, "3.0"));
    EXPECT_EQ(slot_head("slotA.img"), "cccc");
    EXPECT_EQ(boot_state("primary"), "A\n");
    auto undone = request("ota-rollback", params("rauc", "system", "3.0"));
    ASSERT_TRUE(undone) << describe(undone);
    EXPECT_EQ(undone->at("reboot_required"), false);
    EXPECT_EQ(undone->at("version"), "2.0");
    EXPECT_EQ(boot_state("state.A"), "bad\n");
    EXPECT_EQ(boot_state("primary"), "B\n");

    // 3.0 again, booted, found unhealthy: the booted slot is marked bad and a reboot is asked for.
    ASSERT_TRUE(install(three, "3.0"));
    EXPECT_EQ(boot_state("primary"), "A\n");
    boot("A");
    auto bad = request("ota-rollback", params("rauc", "system", "3.0"));
    ASSERT_TRUE(bad) << describe(bad);
    EXPECT_EQ(bad->at("reboot_required"), true);
    EXPECT_EQ(boot_state("state.A"), "bad\n");
    EXPECT_EQ(boot_state("primary"), "B\n");
}

TEST_F(OtaRauc, ABundleOfAnotherVersionIsRefusedUninstalled) {
    auto wrong = install(bundle("2.0", 'b'), "2.1");
    ASSERT_FALSE(wrong);
    EXPECT_EQ(wrong.error().code, "ota.artifact_mismatch");
    EXPECT_NE(wrong.error().message.find("the bundle is version 2.0"), std::string::npos);
    EXPECT_EQ(slot_head("slotB.img"), std::string(4, '\0'));
}

}  // namespace
}  // namespace lintel::test

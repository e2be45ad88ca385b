// The write-config action on a throwaway config dir: what it writes, with which mode, what it
// refuses, and that a refusal or failure leaves every file as it was.
#include "helper/action_write_config.hpp"

#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "helper/actions.hpp"
#include "support/files.hpp"

namespace lintel::helper {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test::entries;
using test::mode_of;
using test::read_file;
using test::TempDir;
using test::write_file;

constexpr std::string_view k_fragment = "devices: []\n";
constexpr std::string_view k_fragment_sha256 =
    "a7f10115e2af055a59d35e47e8bfa8dbdb324c2a27128f3be32ca7065db6f810";
constexpr std::string_view k_main = "gateway:\n  id: gw-1\n";
constexpr std::string_view k_main_sha256 =
    "46328ee888e8c5a843427b28806bd48029ee9e59f5365aaceb7cabcb8d00ee1c";

class WriteConfig : public ::testing::Test {
protected:
    void SetUp() override {
        fs::create_directory(config_);
        context_.config_dir = config_;
        context_.peer_uid = 998;
        // The unit's UMask=0077: modes must come out right anyway.
        saved_umask_ = ::umask(077);
    }
    void TearDown() override { ::umask(saved_umask_); }

    ActionResult run(const json& params) {
        Request request;
        request.action = "write-config";
        request.params = params;
        return dispatch(table_, request, context_);
    }
    // The request must be refused with `code` and a message containing `text`.
    void expect_refused(const json& params, std::string_view code, std::string_view text) {
        SCOPED_TRACE(params.dump(-1, ' ', false, json::error_handler_t::replace));
        auto r = run(params);
        ASSERT_FALSE(r) << r->dump();
        EXPECT_EQ(r.error().code, code);
        EXPECT_NE(r.error().message.find(text), std::string::npos) << r.error().message;
    }
    fs::path devices() const { return config_ / "devices.d"; }

    TempDir dir_{"lintel-write-config"};
    fs::path config_ = dir_ / "etc";
    ActionContext context_;
    ActionTable table_ = builtin_actions();
    mode_t saved_umask_ = 0;
};

TEST_F(WriteConfig, IsInTheBuiltinTable) {
    const Action* action = table_.find("write-config");
    ASSERT_NE(action, nullptr);
    EXPECT_FALSE(action->summary.empty());
}

TEST_F(WriteConfig, WritesANewFragmentAndCreatesDevicesD) {
    ::testing::internal::CaptureStderr();
    auto r = run({{"file", "devices.d/meter-1.yaml"}, {"content", k_fragment}});
    const std::string log = ::testing::internal::GetCapturedStderr();
    ASSERT_TRUE(r) << r.error().code << ": " << r.error().message;
    const fs::path file = devices() / "meter-1.yaml";
    // Exactly these keys, in the documented order.
    EXPECT_EQ(r->dump(), nlohmann::ordered_json({{"file", file.string()},
                                                 {"bytes", k_fragment.size()},
                                                 {"sha256", k_fragment_sha256}})
                             .dump());
    EXPECT_EQ(read_file(file).value_or("?"), k_fragment);
    EXPECT_EQ(mode_of(file), 0644u);
    EXPECT_EQ(mode_of(devices()), 0755u) << "linteld (not root) must be able to list it";
    EXPECT_EQ(entries(devices()), std::set<std::string>{"meter-1.yaml"});
    EXPECT_NE(log.find("write-config: created " + file.string() + " (12 bytes, sha256 " +
                       std::string(k_fragment_sha256) + ") for uid 998"),
              std::string::npos)
        << log;
}

TEST_F(WriteConfig, ReplacesTheMainFileWithMode0644AndNoTempFileLeft) {
    ASSERT_TRUE(write_file(config_ / "lintel.yaml", "old: true\n", 0600));
    ::testing::internal::CaptureStderr();
    auto r = run({{"file", "lintel.yaml"}, {"content", k_main}});
    const std::string log = ::testing::internal::GetCapturedStderr();
    ASSERT_TRUE(r) << r.error().code << ": " << r.error().message;
    const fs::path file = config_ / "lintel.yaml";
    EXPECT_EQ(r->at("file"), file.string());
    EXPECT_TRUE(fs::path(r->at("file").get<std::string>()).is_absolute());
    EXPECT_EQ(r->at("bytes"), k_main.size());
    EXPECT_EQ(r->at("sha256"), k_main_sha256);
    EXPECT_EQ(read_file(file).value_or("?"), k_main);
    EXPECT_EQ(mode_of(file), 0644u);
    EXPECT_EQ(entries(config_), std::set<std::string>{"lintel.yaml"});
    EXPECT_NE(log.find("write-config: replaced " + file.string()), std::string::npos) << log;
}

TEST_F(WriteConfig, EmptyContentAndExactly256KiBAreWritten) {
    auto empty = run({{"file", "devices.d/empty.yaml"}, {"content", ""}});
    ASSERT_TRUE(empty) << empty.error().message;
    EXPECT_EQ(empty->at("bytes"), 0);
    EXPECT_EQ(empty->at("sha256"),
              "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    const std::string big(k_max_config_bytes, '#');
    auto full = run({{"file", "lintel.yaml"}, {"content", big}});
    ASSERT_TRUE(full) << full.error().message;
    EXPECT_EQ(fs::file_size(config_ / "lintel.yaml"), k_max_config_bytes);
}

TEST_F(WriteConfig, RemovesAPresentFragment) {
    fs::create_directory(devices());
    ASSERT_TRUE(write_file(devices() / "old.yaml", k_fragment));
    ASSERT_TRUE(write_file(devices() / "keep.yaml", k_fragment));
    ::testing::internal::CaptureStderr();
    auto r = run({{"file", "devices.d/old.yaml"}, {"remove", true}});
    const std::string log = ::testing::internal::GetCapturedStderr();
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->dump(), nlohmann::ordered_json(
                             {{"file", (devices() / "old.yaml").string()}, {"removed", true}})
                             .dump());
    EXPECT_EQ(entries(devices()), std::set<std::string>{"keep.yaml"});
    EXPECT_NE(
        log.find("write-config: removed " + (devices() / "old.yaml").string() + " for uid 998"),
        std::string::npos)
        << log;
}

TEST_F(WriteConfig, RemovingAnAbsentFragmentIsOk) {
    // No devices.d at all: nothing to remove, and the directory is not created for it.
    auto none = run({{"file", "devices.d/gone.yaml"}, {"remove", true}});
    ASSERT_TRUE(none) << none.error().message;
    EXPECT_EQ(none->at("removed"), false);
    EXPECT_FALSE(fs::exists(devices()));
    fs::create_directory(devices());
    auto absent = run({{"file", "devices.d/gone.yaml"}, {"remove", true}});
    ASSERT_TRUE(absent) << absent.error().message;
    EXPECT_EQ(absent->at("file"), (devices() / "gone.yaml").string());
    EXPECT_EQ(absent->at("removed"), false);
}

TEST_F(WriteConfig, RefusesEveryOtherPath) {
    for (const char* file : {"../x.yaml",
                             "devices.d/../x.yaml",
                             "devices.d/a/b.yaml",
                             "devices.d/.hidden.yaml",
                             "devices.d/x.yml",
                             "devices.d/x.yaml~",
                             "devices.d/x",
                             "devices.d/.yaml",
                             "devices.d/-x.yaml",
                             "devices.d/a..yaml",
                             "devices.d/",
                             "devices.d",
                             "other.yaml",
                             "/etc/lintel/lintel.yaml",
                             "./lintel.yaml",
                             "lintel.yaml/",
                             "LINTEL.YAML",
                             "devices.d/x y.yaml",
                             "devices.d/caf\xc3\xa9.yaml",
                             "pki/gateway.key",
                             ""}) {
        expect_refused({{"file", file}, {"content", k_fragment}}, codes::bad_params,
                       "\"file\" must be \"lintel.yaml\" or \"devices.d/<name>.yaml\"");
    }
    // 64 characters is the longest name.
    const std::string longest = std::string(59, 'a') + ".yaml";
    EXPECT_TRUE(run({{"file", "devices.d/" + longest}, {"content", k_fragment}}));
    expect_refused({{"file", "devices.d/a" + longest}, {"content", k_fragment}}, codes::bad_params,
                   "at most 64 characters");
    EXPECT_EQ(entries(devices()), std::set<std::string>{longest});
    EXPECT_EQ(entries(config_), std::set<std::string>{"devices.d"});
}

TEST_F(WriteConfig, NamesAllowedCharacters) {
    for (const char* file : {"devices.d/Meter_1.v2-a.yaml", "devices.d/0.yaml"}) {
        auto r = run({{"file", file}, {"content", k_fragment}});
        EXPECT_TRUE(r) << file << ": " << r.error().message;
    }
}

TEST_F(WriteConfig, RefusesToRemoveTheMainFile) {
    ASSERT_TRUE(write_file(config_ / "lintel.yaml", k_main));
    expect_refused({{"file", "lintel.yaml"}, {"remove", true}}, codes::bad_params,
                   "lintel.yaml cannot be removed");
    EXPECT_EQ(read_file(config_ / "lintel.yaml").value_or("?"), k_main);
}

TEST_F(WriteConfig, RefusesASymlinkTargetAndLeavesItsDestination) {
    const fs::path victim = dir_ / "victim";
    ASSERT_TRUE(write_file(victim, "precious\n", 0600));
    fs::create_directory(devices());
    fs::create_symlink(victim, devices() / "x.yaml");
    fs::create_symlink(victim, config_ / "lintel.yaml");
    for (const json& params : {json{{"file", "devices.d/x.yaml"}, {"content", k_fragment}},
                               json{{"file", "devices.d/x.yaml"}, {"remove", true}},
                               json{{"file", "lintel.yaml"}, {"content", k_main}}}) {
        expect_refused(params, codes::unsafe_path, "is a symbolic link, not a regular file");
    }
    EXPECT_EQ(read_file(victim).value_or("?"), "precious\n");
    EXPECT_EQ(mode_of(victim), 0600u);
    EXPECT_TRUE(fs::is_symlink(devices() / "x.yaml"));
    EXPECT_TRUE(fs::is_symlink(config_ / "lintel.yaml"));
    EXPECT_EQ(entries(devices()), std::set<std::string>{"x.yaml"});
    EXPECT_EQ(entries(config_), (std::set<std::string>{"devices.d", "lintel.yaml"}));
}

TEST_F(WriteConfig, RefusesADirectoryOrFifoAtTheTarget) {
    fs::create_directories(devices() / "dir.yaml");
    ASSERT_EQ(::mkfifo((devices() / "fifo.yaml").c_str(), 0644), 0);
    expect_refused({{"file", "devices.d/dir.yaml"}, {"content", k_fragment}}, codes::unsafe_path,
                   "is a directory, not a regular file");
    expect_refused({{"file", "devices.d/dir.yaml"}, {"remove", true}}, codes::unsafe_path,
                   "is a directory");
    expect_refused({{"file", "devices.d/fifo.yaml"}, {"content", k_fragment}}, codes::unsafe_path,
                   "is a FIFO");
    EXPECT_TRUE(fs::is_directory(devices() / "dir.yaml"));
    EXPECT_EQ(entries(devices()), (std::set<std::string>{"dir.yaml", "fifo.yaml"}));
}

TEST_F(WriteConfig, RefusesASymlinkedConfigDirOrDevicesD) {
    const fs::path elsewhere = dir_ / "elsewhere";
    fs::create_directory(elsewhere);
    fs::create_directory_symlink(elsewhere, devices());
    expect_refused({{"file", "devices.d/x.yaml"}, {"content", k_fragment}}, codes::unsafe_path,
                   devices().string() + " is a symbolic link, not a directory");
    expect_refused({{"file", "devices.d/x.yaml"}, {"remove", true}}, codes::unsafe_path,
                   "is a symbolic link, not a directory");

    context_.config_dir = dir_ / "link-to-etc";
    fs::create_directory_symlink(config_, context_.config_dir);
    expect_refused({{"file", "lintel.yaml"}, {"content", k_main}}, codes::unsafe_path,
                   context_.config_dir.string() + " is a symbolic link, not a directory");
    EXPECT_TRUE(entries(elsewhere).empty());
    EXPECT_EQ(entries(config_), std::set<std::string>{"devices.d"});

    ASSERT_TRUE(write_file(dir_ / "plain", "x"));
    context_.config_dir = dir_ / "plain";
    expect_refused({{"file", "lintel.yaml"}, {"content", k_main}}, codes::unsafe_path,
                   "is a regular file, not a directory");
}

TEST_F(WriteConfig, AMissingOrUnsetConfigDirIsInternal) {
    context_.config_dir = dir_ / "absent";
    expect_refused(
        {{"file", "lintel.yaml"}, {"content", k_main}}, codes::internal,
        "cannot open directory " + (dir_ / "absent").string() + ": No such file or directory");
    EXPECT_FALSE(fs::exists(dir_ / "absent"));
    context_.config_dir.clear();
    expect_refused({{"file", "lintel.yaml"}, {"content", k_main}}, codes::internal,
                   "no configuration directory is set");
}

TEST_F(WriteConfig, RefusesContentThatIsNotAConfigFile) {
    ASSERT_TRUE(write_file(config_ / "lintel.yaml", k_main));
    const json nul = std::string("a: 1\n\0b: 2\n", 11);
    expect_refused({{"file", "lintel.yaml"}, {"content", nul}}, codes::bad_params,
                   "\"content\" has a NUL byte at offset 5");
    for (const char* bad :
         {"a: \xc3\x28\n", "a: \xed\xa0\x80\n", "a: \xc0\xaf\n", "a: \xff\n", "a: \xe2\x82"}) {
        expect_refused({{"file", "lintel.yaml"}, {"content", bad}}, codes::bad_params,
                       "\"content\" is not valid UTF-8 (at byte offset 3)");
    }
    expect_refused({{"file", "lintel.yaml"}, {"content", std::string(k_max_config_bytes + 1, '#')}},
                   codes::bad_params, "\"content\" is 262145 bytes; at most 262144");
    EXPECT_TRUE(run(
        {{"file", "devices.d/utf8.yaml"}, {"content", "name: caf\xc3\xa9 \xf0\x9f\x8c\xa1\n"}}));
    EXPECT_EQ(read_file(config_ / "lintel.yaml").value_or("?"), k_main);
    EXPECT_EQ(entries(config_), (std::set<std::string>{"devices.d", "lintel.yaml"}));
}

TEST_F(WriteConfig, ParamsAreStrict) {
    const std::string file = "devices.d/x.yaml";
    expect_refused({{"file", file}, {"content", k_fragment}, {"remove", true}}, codes::bad_params,
                   "give exactly one of \"content\"");
    expect_refused({{"file", file}}, codes::bad_params, "give exactly one of \"content\"");
    expect_refused({{"file", file}, {"remove", false}}, codes::bad_params,
                   "\"remove\" must be true");
    expect_refused({{"file", file}, {"remove", "yes"}}, codes::bad_params,
                   "\"remove\" must be true");
    expect_refused({{"file", file}, {"content", 42}}, codes::bad_params,
                   "\"content\" must be a string (the whole file), got number");
    expect_refused({{"file", file}, {"content", json::array({"a"})}}, codes::bad_params,
                   "got array");
    expect_refused({{"file", 7}, {"content", k_fragment}}, codes::bad_params,
                   "\"file\" must be a string, got number");
    expect_refused({{"content", k_fragment}}, codes::bad_params, "\"file\" is required");
    expect_refused(json::object(), codes::bad_params, "\"file\" is required");
    expect_refused({{"file", file}, {"content", k_fragment}, {"mode", "0777"}}, codes::bad_params,
                   "write-config: unknown param \"mode\" (allowed: file, content, remove)");
    expect_refused({{"file", file}, {"content", k_fragment}, {"x\n\x1b", 1}}, codes::bad_params,
                   "unknown param \"x\\x0a\\x1b\"");
    EXPECT_FALSE(fs::exists(devices()));
}

// A real failure halfway through the write (the file size limit): the temp file goes, the old
// file stays as it was.
TEST_F(WriteConfig, AFailedWriteLeavesTheOldFileAndNoTempFile) {
    ASSERT_TRUE(write_file(config_ / "lintel.yaml", k_main));
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    struct sigaction saved_action {};
    ASSERT_EQ(::sigaction(SIGXFSZ, &ignore, &saved_action), 0);  // EFBIG instead of a signal
    rlimit saved_limit{};
    ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &saved_limit), 0);
    rlimit small = saved_limit;
    small.rlim_cur = 1000;
    ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &small), 0);
    auto r = run({{"file", "lintel.yaml"}, {"content", std::string(5000, '#')}});
    ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &saved_limit), 0);
    ASSERT_EQ(::sigaction(SIGXFSZ, &saved_action, nullptr), 0);

    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, codes::internal);
    EXPECT_NE(r.error().message.find("cannot write " + config_.string() + "/.lintel.yaml."),
              std::string::npos)
        << r.error().message;
    EXPECT_NE(r.error().message.find("File too large"), std::string::npos) << r.error().message;
    EXPECT_EQ(read_file(config_ / "lintel.yaml").value_or("?"), k_main);
    EXPECT_EQ(entries(config_), std::set<std::string>{"lintel.yaml"});
}

TEST_F(WriteConfig, ATempNameLeftByACrashIsSkippedNotTouched) {
    fs::create_directory(devices());
    const std::string stale = ".x.yaml." + std::to_string(::getpid()) + ".0.tmp";
    ASSERT_TRUE(write_file(devices() / stale, "half a file"));
    auto r = run({{"file", "devices.d/x.yaml"}, {"content", k_fragment}});
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(read_file(devices() / "x.yaml").value_or("?"), k_fragment);
    EXPECT_EQ(read_file(devices() / stale).value_or("?"), "half a file");
    EXPECT_EQ(entries(devices()), (std::set<std::string>{stale, "x.yaml"}));
}

}  // namespace
}  // namespace lintel::helper

// The PKCS#11 adapter: loads a module with dlopen and calls its function list directly, for
// what OpenSSL's engine cannot tell apart (wrong PIN vs. missing key) or cannot do (EC key
// generation with explicit protection attributes in libp11 0.4.12).
#include "pkcs11/token_session.hpp"

#include <dlfcn.h>

#include <array>
#include <cstring>
#include <map>
#include <mutex>
#include <set>
#include <vector>

#include "common/sha256.hpp"
#include "pkcs11/reason_codes.hpp"

// Last: its compatibility macros rename common words (value, flags) until its end.
#include <p11-kit/pkcs11.h>

namespace lintel::pkcs11 {
namespace {

std::string rv_name(CK_RV rv) {
    switch (rv) {
        case CKR_OK:
            return "CKR_OK";
        case CKR_PIN_INCORRECT:
            return "CKR_PIN_INCORRECT";
        case CKR_PIN_LOCKED:
            return "CKR_PIN_LOCKED";
        case CKR_PIN_LEN_RANGE:
            return "CKR_PIN_LEN_RANGE";
        case CKR_ATTRIBUTE_SENSITIVE:
            return "CKR_ATTRIBUTE_SENSITIVE";
        case CKR_ATTRIBUTE_TYPE_INVALID:
            return "CKR_ATTRIBUTE_TYPE_INVALID";
        case CKR_KEY_UNEXTRACTABLE:
            return "CKR_KEY_UNEXTRACTABLE";
        case CKR_MECHANISM_INVALID:
            return "CKR_MECHANISM_INVALID";
        case CKR_TOKEN_NOT_PRESENT:
            return "CKR_TOKEN_NOT_PRESENT";
        case CKR_DEVICE_REMOVED:
            return "CKR_DEVICE_REMOVED";
        case CKR_USER_NOT_LOGGED_IN:
            return "CKR_USER_NOT_LOGGED_IN";
        case CKR_GENERAL_ERROR:
            return "CKR_GENERAL_ERROR";
        default:
            break;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, "CKR 0x%08lx", static_cast<unsigned long>(rv));
    return buf;
}

std::unexpected<Error> fail(std::string_view code, std::string message) {
    return make_error(std::string(code), std::move(message));
}

// A PKCS#11 text field: fixed width, blank padded.
std::string padded(const unsigned char* field, std::size_t size) {
    std::string s(reinterpret_cast<const char*>(field), size);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\0')) s.pop_back();
    return s;
}

// Loaded modules stay loaded and initialised for the life of the process: libp11 (OpenSSL's
// engine) shares the same initialised module, and a C_Finalize would end its sessions too.
struct LoadedModule {
    CK_FUNCTION_LIST_PTR functions = nullptr;
};

std::mutex g_mutex;
std::map<std::string, LoadedModule> g_modules;
// SHA-256 of (module, token serial, PIN) for PINs a token rejected: never offered again.
std::set<std::string> g_rejected_pins;
// The PIN (same digest) that logged this process in, per token (module, serial). PKCS#11 login
// state is per process and token: while the engine holds a session, C_Login answers "already
// logged in" to any PIN, so a changed PIN file is checked by logging out and in again.
std::map<std::string, std::string> g_accepted_pins;

Expected<CK_FUNCTION_LIST_PTR> load_module(const std::filesystem::path& path) {
    std::lock_guard lock(g_mutex);
    if (auto it = g_modules.find(path.string()); it != g_modules.end()) return it->second.functions;
    void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
        const char* why = ::dlerror();
        return fail(error::module, "cannot load the PKCS#11 module " + path.string() + ": " +
                                       (why != nullptr ? why : "dlopen failed"));
    }
    auto* get_list = reinterpret_cast<CK_C_GetFunctionList>(::dlsym(handle, "C_GetFunctionList"));
    CK_FUNCTION_LIST_PTR functions = nullptr;
    if (get_list == nullptr || get_list(&functions) != CKR_OK || functions == nullptr) {
        ::dlclose(handle);
        return fail(error::module,
                    path.string() + " is not a PKCS#11 module (no C_GetFunctionList)");
    }
    CK_C_INITIALIZE_ARGS args{};
    args.flags = CKF_OS_LOCKING_OK;
    const CK_RV rv = functions->C_Initialize(&args);
    if (rv != CKR_OK && rv != CKR_CRYPTOKI_ALREADY_INITIALIZED) {
        ::dlclose(handle);
        return fail(error::module, "the PKCS#11 module " + path.string() +
                                       " failed to initialise: " + rv_name(rv));
    }
    g_modules[path.string()] = LoadedModule{functions};
    return functions;
}

bool matches(const Uri& uri, const CK_TOKEN_INFO& info) {
    auto same = [](const std::optional<std::string>& want, const unsigned char* field,
                   std::size_t size) { return !want || *want == padded(field, size); };
    return same(uri.token, info.label, sizeof info.label) &&
           same(uri.manufacturer, info.manufacturerID, sizeof info.manufacturerID) &&
           same(uri.serial, info.serialNumber, sizeof info.serialNumber) &&
           same(uri.model, info.model, sizeof info.model);
}

std::string describe_token(const Uri& uri) {
    std::string out;
    auto add = [&](const char* name, const std::optional<std::string>& v) {
        if (!v) return;
        if (!out.empty()) out += ", ";
        out += std::string(name) + " \"" + *v + "\"";
    };
    add("label", uri.token);
    add("manufacturer", uri.manufacturer);
    add("serial", uri.serial);
    add("model", uri.model);
    return out.empty() ? "any token" : out;
}

}  // namespace

Expected<commands::SecretText> read_pin(const std::filesystem::path& pin_file) {
    auto text = commands::read_private_file(pin_file, "PIN file");
    if (!text) return fail(error::pin_file, text.error().message);
    if (pin_text(*text).empty())
        return fail(error::pin_file, "the PIN file " + pin_file.string() + " is empty");
    return text;
}

std::string_view pin_text(const commands::SecretText& pin) {
    std::string_view v = pin.view();
    while (!v.empty() && (v.back() == '\n' || v.back() == '\r')) v.remove_suffix(1);
    return v;
}

struct TokenSession::State {
    CK_FUNCTION_LIST_PTR f = nullptr;
    CK_SESSION_HANDLE session = CK_INVALID_HANDLE;
    std::string where;  // "token "lintel" (module /usr/lib/...)" for messages
};

TokenSession::TokenSession(std::unique_ptr<State> state) : state_(std::move(state)) {}
TokenSession::TokenSession(TokenSession&&) noexcept = default;
TokenSession::~TokenSession() {
    if (state_ && state_->session != CK_INVALID_HANDLE) state_->f->C_CloseSession(state_->session);
}

Expected<TokenSession> TokenSession::open(const Uri& uri, const TokenSettings& settings,
                                          std::string_view pin) {
    auto functions = load_module(settings.module);
    if (!functions) return std::unexpected(functions.error());
    CK_FUNCTION_LIST_PTR f = *functions;

    CK_ULONG count = 0;
    if (CK_RV rv = f->C_GetSlotList(CK_TRUE, nullptr, &count); rv != CKR_OK)
        return fail(error::token, "C_GetSlotList: " + rv_name(rv));
    std::vector<CK_SLOT_ID> slots(count);
    if (CK_RV rv = f->C_GetSlotList(CK_TRUE, slots.data(), &count); rv != CKR_OK)
        return fail(error::token, "C_GetSlotList: " + rv_name(rv));
    slots.resize(count);
    std::vector<std::pair<CK_SLOT_ID, CK_TOKEN_INFO>> found;
    for (CK_SLOT_ID slot : slots) {
        CK_TOKEN_INFO info{};
        if (f->C_GetTokenInfo(slot, &info) != CKR_OK) continue;
        if ((info.flags & CKF_TOKEN_INITIALIZED) == 0) continue;
        if (matches(uri, info)) found.emplace_back(slot, info);
    }
    const std::string module = settings.module.string();
    if (found.empty()) {
        return fail(error::no_token, "no initialised token matches " + describe_token(uri) +
                                         " in the PKCS#11 module " + module);
    }
    if (found.size() > 1) {
        return fail(error::no_token, std::to_string(found.size()) + " tokens match " +
                                         describe_token(uri) + " in " + module +
                                         "; add serial= to the URI");
    }
    auto state = std::make_unique<State>();
    state->f = f;
    const auto& [slot, info] = found.front();
    const std::string serial = padded(info.serialNumber, sizeof info.serialNumber);
    state->where = "token \"" + padded(info.label, sizeof info.label) + "\" (serial " + serial +
                   ", module " + module + ")";
    if (CK_RV rv = f->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, nullptr, nullptr,
                                    &state->session);
        rv != CKR_OK) {
        return fail(error::token, "cannot open a session on " + state->where + ": " + rv_name(rv));
    }
    TokenSession session(std::move(state));

    auto fingerprint = common::sha256_hex(module + '\0' + serial + '\0' + std::string(pin));
    if (!fingerprint) return std::unexpected(fingerprint.error());
    {
        std::lock_guard lock(g_mutex);
        if (g_rejected_pins.contains(*fingerprint)) {
            return fail(error::pin, session.state_->where +
                                        " rejected this PIN before; it is not offered again "
                                        "(tokens lock after a few wrong PINs): correct the PIN "
                                        "file");
        }
    }
    const std::string token_key = module + '\0' + serial;
    auto login = [&] {
        std::string pin_copy(pin);
        const CK_RV rv = f->C_Login(session.state_->session, CKU_USER,
                                    reinterpret_cast<CK_UTF8CHAR_PTR>(pin_copy.data()),
                                    static_cast<CK_ULONG>(pin_copy.size()));
        std::fill(pin_copy.begin(), pin_copy.end(), '\0');
        return rv;
    };
    CK_RV rv = login();
    if (rv == CKR_USER_ALREADY_LOGGED_IN) {
        std::lock_guard lock(g_mutex);
        auto it = g_accepted_pins.find(token_key);
        if (it != g_accepted_pins.end() && it->second == *fingerprint) return session;
    }
    if (rv == CKR_USER_ALREADY_LOGGED_IN) {
        f->C_Logout(session.state_->session);
        rv = login();
    }
    if (rv == CKR_PIN_INCORRECT || rv == CKR_PIN_LEN_RANGE) {
        std::lock_guard lock(g_mutex);
        g_rejected_pins.insert(*fingerprint);
        return fail(error::pin, session.state_->where + " rejected the PIN (" + rv_name(rv) +
                                    "); it is not offered again until the PIN file changes");
    }
    if (rv == CKR_PIN_LOCKED)
        return fail(error::pin_locked, session.state_->where +
                                           " has locked its user PIN after too many wrong "
                                           "PINs; unlock it with the SO PIN");
    if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN)
        return fail(error::token, "login to " + session.state_->where + ": " + rv_name(rv));
    std::lock_guard lock(g_mutex);
    g_accepted_pins[token_key] = *fingerprint;
    return session;
}

Expected<unsigned long> TokenSession::find_private_key(const Uri& uri) {
    CK_OBJECT_CLASS klass = CKO_PRIVATE_KEY;
    std::vector<CK_ATTRIBUTE> query{{CKA_CLASS, &klass, sizeof klass}};
    std::string label = uri.object.value_or("");
    std::string id = uri.id.value_or("");
    if (uri.object) query.push_back({CKA_LABEL, label.data(), label.size()});
    if (uri.id) query.push_back({CKA_ID, id.data(), id.size()});
    CK_FUNCTION_LIST_PTR f = state_->f;
    if (CK_RV rv = f->C_FindObjectsInit(state_->session, query.data(), query.size()); rv != CKR_OK)
        return fail(error::token, "C_FindObjectsInit on " + state_->where + ": " + rv_name(rv));
    std::array<CK_OBJECT_HANDLE, 2> objects{};
    CK_ULONG n = 0;
    const CK_RV rv = f->C_FindObjects(state_->session, objects.data(), objects.size(), &n);
    f->C_FindObjectsFinal(state_->session);
    if (rv != CKR_OK)
        return fail(error::token, "C_FindObjects on " + state_->where + ": " + rv_name(rv));
    const std::string what = (uri.object ? "label \"" + label + "\"" : std::string("")) +
                             (uri.object && uri.id ? " and " : "") + (uri.id ? "the given id" : "");
    if (n == 0) return fail(error::no_key, "no private key with " + what + " on " + state_->where);
    if (n > 1)
        return fail(error::ambiguous, "more than one private key with " + what + " on " +
                                          state_->where + "; name it by object= and id=");
    return objects[0];
}

Expected<KeyProtection> TokenSession::protection(unsigned long key) {
    CK_BBOOL sensitive = CK_FALSE, extractable = CK_TRUE, always = CK_FALSE, never = CK_FALSE;
    std::array<CK_ATTRIBUTE, 4> flags{{{CKA_SENSITIVE, &sensitive, sizeof sensitive},
                                       {CKA_EXTRACTABLE, &extractable, sizeof extractable},
                                       {CKA_ALWAYS_SENSITIVE, &always, sizeof always},
                                       {CKA_NEVER_EXTRACTABLE, &never, sizeof never}}};
    if (CK_RV rv = state_->f->C_GetAttributeValue(state_->session, key, flags.data(), flags.size());
        rv != CKR_OK) {
        return fail(error::token,
                    "cannot read the key's attributes on " + state_->where + ": " + rv_name(rv));
    }
    KeyProtection p;
    p.sensitive = sensitive == CK_TRUE;
    p.extractable = extractable == CK_TRUE;
    p.always_sensitive = always == CK_TRUE;
    p.never_extractable = never == CK_TRUE;
    // The private value itself: an EC key's CKA_VALUE. A token must refuse it for a sensitive key.
    CK_ATTRIBUTE value{CKA_VALUE, nullptr, 0};
    const CK_RV rv = state_->f->C_GetAttributeValue(state_->session, key, &value, 1);
    p.value_readable = rv == CKR_OK && value.ulValueLen != ~CK_ULONG{0};
    p.value_refusal = p.value_readable ? "" : rv_name(rv);
    return p;
}

Expected<std::string> TokenSession::generate_p256(std::string_view label) {
    CK_FUNCTION_LIST_PTR f = state_->f;
    Uri by_label;
    by_label.object = std::string(label);
    if (find_private_key(by_label))
        return fail(error::key_exists, "a private key labelled \"" + std::string(label) +
                                           "\" exists on " + state_->where +
                                           "; choose another label");
    std::array<unsigned char, 16> id{};
    if (CK_RV rv = f->C_GenerateRandom(state_->session, id.data(), id.size()); rv != CKR_OK)
        return fail(error::token, "C_GenerateRandom on " + state_->where + ": " + rv_name(rv));
    // DER of the named curve prime256v1 (OID 1.2.840.10045.3.1.7).
    std::array<unsigned char, 10> ec_params{0x06, 0x08, 0x2a, 0x86, 0x48,
                                            0xce, 0x3d, 0x03, 0x01, 0x07};
    std::string name(label);
    CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
    CK_KEY_TYPE key_type = CKK_EC;
    std::array<CK_ATTRIBUTE, 6> public_template{{
        {CKA_TOKEN, &yes, sizeof yes},
        {CKA_KEY_TYPE, &key_type, sizeof key_type},
        {CKA_EC_PARAMS, ec_params.data(), ec_params.size()},
        {CKA_VERIFY, &yes, sizeof yes},
        {CKA_LABEL, name.data(), name.size()},
        {CKA_ID, id.data(), id.size()},
    }};
    std::array<CK_ATTRIBUTE, 9> private_template{{
        {CKA_TOKEN, &yes, sizeof yes},
        {CKA_KEY_TYPE, &key_type, sizeof key_type},
        {CKA_PRIVATE, &yes, sizeof yes},
        {CKA_SENSITIVE, &yes, sizeof yes},
        {CKA_EXTRACTABLE, &no, sizeof no},
        {CKA_SIGN, &yes, sizeof yes},
        {CKA_DERIVE, &yes, sizeof yes},
        {CKA_LABEL, name.data(), name.size()},
        {CKA_ID, id.data(), id.size()},
    }};
    CK_MECHANISM mechanism{CKM_EC_KEY_PAIR_GEN, nullptr, 0};
    CK_OBJECT_HANDLE public_key = CK_INVALID_HANDLE, private_key = CK_INVALID_HANDLE;
    const CK_RV rv = f->C_GenerateKeyPair(state_->session, &mechanism, public_template.data(),
                                          public_template.size(), private_template.data(),
                                          private_template.size(), &public_key, &private_key);
    if (rv != CKR_OK)
        return fail(error::token, "cannot generate an EC P-256 key pair on " + state_->where +
                                      ": " + rv_name(rv));
    return std::string(reinterpret_cast<const char*>(id.data()), id.size());
}

}  // namespace lintel::pkcs11

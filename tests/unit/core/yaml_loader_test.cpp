// YAML -> ConfigNode: marks, key paths, duplicate keys, syntax errors.
#include <gtest/gtest.h>

#include "core/yaml_loader.hpp"

namespace lintel::core {
namespace {

TEST(YamlLoader, KeepsMarksAndPaths) {
    sdk::ConfigErrors errors;
    auto root = load_yaml_string("a:\n  b:\n    - x: 1\n    - x: 2\n", "f.yaml", errors);
    ASSERT_TRUE(root) << errors.to_string();
    const auto* b = root->find("a")->find("b");
    ASSERT_TRUE(b && b->is_sequence());
    const auto* x = b->items[1].find("x");
    ASSERT_NE(x, nullptr);
    EXPECT_EQ(x->path, "a.b[1].x");
    EXPECT_EQ(x->mark.line, 4);
    EXPECT_EQ(x->mark.column, 10);
    EXPECT_EQ(x->scalar, "2");
}

TEST(YamlLoader, DuplicateKeyIsAnError) {
    sdk::ConfigErrors errors;
    auto root = load_yaml_string("a: 1\nb: 2\na: 3\n", "f.yaml", errors);
    EXPECT_FALSE(root);
    ASSERT_EQ(errors.size(), 1U);
    EXPECT_EQ(errors.issues()[0].to_string(), "f.yaml:3:1: a: duplicate key \"a\"");
}

TEST(YamlLoader, SyntaxErrorNamesLineAndColumn) {
    sdk::ConfigErrors errors;
    auto root = load_yaml_string("a: [1, 2\nb: 3\n", "f.yaml", errors);
    EXPECT_FALSE(root);
    ASSERT_EQ(errors.size(), 1U);
    const auto& issue = errors.issues()[0];
    EXPECT_EQ(issue.mark.file, "f.yaml");
    EXPECT_GE(issue.mark.line, 1);
    EXPECT_NE(issue.reason.find("invalid YAML"), std::string::npos);
}

TEST(YamlLoader, EmptyDocumentIsNull) {
    sdk::ConfigErrors errors;
    auto root = load_yaml_string("", "f.yaml", errors);
    ASSERT_TRUE(root);
    EXPECT_TRUE(root->is_null());
}

TEST(YamlLoader, DeepNestingIsRefusedNotACrash) {
    std::string deep(200, '[');
    deep += std::string(200, ']');
    sdk::ConfigErrors errors;
    EXPECT_FALSE(load_yaml_string(deep, "f.yaml", errors));
    EXPECT_FALSE(errors.empty());
}

TEST(YamlLoader, AliasBombIsRefusedNotExpanded) {
    // Each level doubles the previous: 2^30 scalars if expanded naively.
    std::string text = "a0: &a0 [x, x]\n";
    for (int i = 1; i <= 30; ++i) {
        text += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [*a" +
                std::to_string(i - 1) + ", *a" + std::to_string(i - 1) + "]\n";
    }
    sdk::ConfigErrors errors;
    EXPECT_FALSE(load_yaml_string(text, "bomb.yaml", errors));
    ASSERT_FALSE(errors.empty());
    EXPECT_NE(errors.to_string().find("after expanding aliases"), std::string::npos)
        << errors.to_string();
}

TEST(YamlLoader, RecursiveAliasIsRefused) {
    sdk::ConfigErrors errors;
    EXPECT_FALSE(load_yaml_string("a: &a [1, *a]\n", "cyc.yaml", errors));
    EXPECT_NE(errors.to_string().find("recursive alias"), std::string::npos) << errors.to_string();
}

TEST(YamlLoader, NonUtf8TextIsRefusedWithItsPosition) {
    sdk::ConfigErrors errors;
    EXPECT_FALSE(load_yaml_string("a: 1\nb: x\xf6\x9b\n", "bin.yaml", errors));
    ASSERT_EQ(errors.size(), 1U);
    EXPECT_EQ(errors.issues()[0].to_string(), "bin.yaml:2:5: (root): not UTF-8 text (byte 0xf6)");
    sdk::ConfigErrors ok;
    EXPECT_TRUE(load_yaml_string("name: \"Zähler Süd\"\n", "utf8.yaml", ok)) << ok.to_string();
}

TEST(YamlLoader, SecondDocumentIsRefusedNotIgnored) {
    sdk::ConfigErrors errors;
    EXPECT_FALSE(load_yaml_string("---\na: 1\n---\nb: 2\n", "two.yaml", errors));
    ASSERT_EQ(errors.size(), 1U);
    EXPECT_EQ(errors.issues()[0].to_string(),
              "two.yaml:3:1: (root): a second YAML document starts here; a config file holds "
              "exactly one");
    sdk::ConfigErrors ok;
    EXPECT_TRUE(load_yaml_string("# comment\n---\na: 1\n", "one.yaml", ok)) << ok.to_string();
}

}  // namespace
}  // namespace lintel::core

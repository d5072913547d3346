#include "broker/properties.h"

#include <gtest/gtest.h>

namespace sluice::broker {
namespace {

Properties parse(std::string_view text) {
  auto parsed = parse_properties(text);
  EXPECT_TRUE(parsed) << (parsed ? "" : parsed.error().message);
  return parsed ? parsed.value() : Properties{};
}

TEST(Properties, SeparatorsAndWhitespace) {
  const Properties p = parse("a=1\n  b : 2\nc 3\nd\t=\t 4 \ne=\nf\n");
  EXPECT_EQ(p.at("a"), "1");
  EXPECT_EQ(p.at("b"), "2");
  EXPECT_EQ(p.at("c"), "3");
  EXPECT_EQ(p.at("d"), "4 ");  // trailing whitespace belongs to the value, as in Java
  EXPECT_EQ(p.at("e"), "");
  EXPECT_EQ(p.at("f"), "");
}

TEST(Properties, CommentsAndBlankLinesAreSkipped) {
  const Properties p = parse("# comment=1\n   ! bang comment\n\n   \nkey=value # not a comment\n");
  EXPECT_EQ(p.size(), 1u);
  EXPECT_EQ(p.at("key"), "value # not a comment");
}

TEST(Properties, BackslashContinuesALineAndDropsTheNextLinesIndent) {
  const Properties p = parse("list=a,\\\n    b,\\\n\t# still the value\\\n  c\nnext=1\n");
  EXPECT_EQ(p.at("list"), "a,b,# still the valuec");
  EXPECT_EQ(p.at("next"), "1");
}

TEST(Properties, EvenBackslashesDoNotContinue) {
  const Properties p = parse("path=c:\\\\\nnext=1\n");
  EXPECT_EQ(p.at("path"), "c:\\");
  EXPECT_EQ(p.at("next"), "1");
}

TEST(Properties, EscapesInKeysAndValues) {
  const Properties p = parse("key\\=with\\:seps\\ x=v\\tt\\nn\\u0041\\u00e9\\q\\\\\r\n");
  EXPECT_EQ(p.at("key=with:seps x"), "v\tt\nnA\xc3\xa9q\\");
}

TEST(Properties, CrLfLineEndingsAndLastDuplicateWins) {
  const Properties p = parse("a=1\r\na=2\r\n");
  EXPECT_EQ(p.at("a"), "2");
}

TEST(Properties, MalformedUnicodeEscapeIsAnError) {
  auto parsed = parse_properties("a=\\u12g4\n");
  ASSERT_FALSE(parsed);
  EXPECT_NE(parsed.error().message.find("\\uxxxx"), std::string::npos);
}

}  // namespace
}  // namespace sluice::broker

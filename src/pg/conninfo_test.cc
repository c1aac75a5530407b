#include "pg/conninfo.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace klio::pg {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

TEST(ConninfoTest, RedactsKeyValueSecrets) {
  EXPECT_EQ(RedactConninfo("host=db port=5432 user=klio password=secret dbname=postgres"),
            "host=db port=5432 user=klio password=*** dbname=postgres");
  EXPECT_EQ(RedactConninfo("password = 'it\\'s secret' host=x"), "password = '***' host=x");
  EXPECT_EQ(RedactConninfo("host=x sslpassword=k3y"), "host=x sslpassword=***");
  EXPECT_EQ(RedactConninfo("PASSWORD=sec\\ ret host=x"), "PASSWORD=*** host=x");
  EXPECT_EQ(RedactConninfo("host=x user=passworduser"), "host=x user=passworduser");
  EXPECT_EQ(RedactConninfo(""), "");
}

TEST(ConninfoTest, MalformedStringsAreCutAtTheSecret) {
  EXPECT_EQ(RedactConninfo("host=x password='unterminated secret"), "host=x password=***");
  EXPECT_EQ(RedactConninfo("host=x password=my secret"), "host=x password=***");
  EXPECT_EQ(RedactConninfo("host=x junk"), "host=x junk");
}

TEST(ConninfoTest, RedactsUriSecrets) {
  EXPECT_EQ(RedactConninfo("postgresql://klio:s3cr%40t@db:5432/postgres?sslmode=require"),
            "postgresql://klio:***@db:5432/postgres?sslmode=require");
  EXPECT_EQ(RedactConninfo("postgres://klio@db/postgres?password=secret&application_name=x"),
            "postgres://klio@db/postgres?password=***&application_name=x");
  EXPECT_EQ(RedactConninfo("postgresql:///db?host=/run&pass%77ord=secret"),
            "postgresql:///db?host=/run&pass%77ord=***");
  EXPECT_EQ(RedactConninfo("postgresql://db"), "postgresql://db");
}

TEST(ConninfoTest, SecretsAsLibpqParsesThem) {
  EXPECT_THAT(ConninfoSecrets("host=x password='a b\\'c' sslpassword=key"),
              ElementsAre("a b'c", "key"));
  EXPECT_THAT(ConninfoSecrets("postgresql://u:p%40ss@h/db"), ElementsAre("p@ss"));
  EXPECT_TRUE(ConninfoSecrets("host=x").empty());
  EXPECT_TRUE(ConninfoSecrets("host=x password='broken").empty());
  EXPECT_TRUE(ConninfoMayHoldSecret("x PassWord=1"));
  EXPECT_FALSE(ConninfoMayHoldSecret("host=x"));
  EXPECT_TRUE(ConninfoMayHoldSecret("postgresql://u:s@h/db"));
  EXPECT_FALSE(ConninfoMayHoldSecret("postgresql://u@h:5432/db"));
  EXPECT_FALSE(ConninfoMayHoldSecret("postgres://h/db?x=y:z@w"));
}

TEST(ConninfoTest, RedactTextReplacesSecretValues) {
  EXPECT_EQ(RedactText("auth for hunter2 failed, hunter2!", {"hunter2"}),
            "auth for *** failed, ***!");
  // Too short to replace without wrecking the message.
  EXPECT_EQ(RedactText("a bad day", {"a"}), "a bad day");
  EXPECT_EQ(RedactText("x***x", {"***"}), "x***x");
  EXPECT_THAT(RedactText("secretsecret", {"secret"}), Not(HasSubstr("secret")));
}

}  // namespace
}  // namespace klio::pg

DROP TABLE "account_tokens";

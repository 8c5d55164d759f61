DROP TABLE "recovery_codes";--> statement-breakpoint
DROP TABLE "user_totp";

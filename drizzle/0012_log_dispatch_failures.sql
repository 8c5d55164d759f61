CREATE TABLE "log_dispatch_failures" (
	"cursor" text NOT NULL,
	"activity_id" bigint NOT NULL,
	"consumer" text NOT NULL,
	"attempts" integer NOT NULL,
	"last_error" text NOT NULL,
	"next_attempt_at" timestamp (3) with time zone NOT NULL,
	"set_aside_at" timestamp (3) with time zone,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "log_dispatch_failures_cursor_activity_id_consumer_pk" PRIMARY KEY("cursor","activity_id","consumer")
);
--> statement-breakpoint
CREATE INDEX "log_dispatch_failures_due_idx" ON "log_dispatch_failures" USING btree ("cursor","next_attempt_at") WHERE "log_dispatch_failures"."set_aside_at" is null;
CREATE TABLE "activity_audience" (
	"user_id" uuid NOT NULL,
	"team_id" uuid NOT NULL,
	"from_id" bigint NOT NULL,
	"through_id" bigint NOT NULL,
	CONSTRAINT "activity_audience_user_id_team_id_from_id_pk" PRIMARY KEY("user_id","team_id","from_id")
);
--> statement-breakpoint
ALTER TABLE "activity_audience" ADD CONSTRAINT "activity_audience_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;
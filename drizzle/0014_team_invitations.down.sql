DROP TABLE "team_invitations";

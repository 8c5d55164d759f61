DROP TABLE "jobs";

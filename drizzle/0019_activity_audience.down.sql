DROP TABLE "activity_audience";

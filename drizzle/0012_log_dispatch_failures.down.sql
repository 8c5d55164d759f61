DROP TABLE IF EXISTS "log_dispatch_failures";

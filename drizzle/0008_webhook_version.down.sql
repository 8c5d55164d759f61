ALTER TABLE "webhooks" DROP COLUMN IF EXISTS "version";

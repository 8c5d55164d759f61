/**
 * The transactions writing to the activity log right now (their virtual transaction ids), other
 * than the asking one. Activity ids come from a sequence and are taken before commit, and an INSERT
 * takes its lock on the table before it draws an id: while this is empty, no id already issued can
 * still commit, so every later entry gets a higher id than any seen. pg_locks spans the cluster, and
 * clones of one template share the table's oid, so the database is part of the match.
 */
export const ACTIVITY_LOG_WRITERS = `select distinct virtualtransaction::text as vxid from pg_locks
    where relation = 'activity'::regclass and mode = 'RowExclusiveLock' and pid <> pg_backend_pid()
      and database = (select oid from pg_database where datname = current_database())`

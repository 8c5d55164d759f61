/**
 * A trigger that makes storing a keyed create's answer fail, as a database going away at that
 * moment would (SQLSTATE 57P01, admin shutdown), for the keys named `fail-answer-…`.
 */
export const FAIL_ANSWER_TRIGGER = `
create or replace function fail_keyed_answer() returns trigger language plpgsql as $$
begin
  if new.key like 'fail-answer-%' and new.response_status is not null then
    raise exception 'terminating connection due to administrator command' using errcode = '57P01';
  end if;
  return new;
end $$;
drop trigger if exists fail_keyed_answer on idempotency_keys;
create trigger fail_keyed_answer before insert or update on idempotency_keys
  for each row execute function fail_keyed_answer();
`

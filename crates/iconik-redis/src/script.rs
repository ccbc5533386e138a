//! The Lua script that checks every window and reserves a slot atomically,
//! on Redis's clock.

/// `KEYS[1]`: the credential's log, a sorted set of grants scored by the
/// grant time in microseconds on Redis's clock (`TIME`).
/// `ARGV[1]`: a unique member for this grant; `ARGV[2]`: the number of
/// rates; then `count`, `window in µs` for each rate.
///
/// A grant is allowed when, for every rate, the `count`-th most recent
/// grant is at least `window` old. Then it is added, entries that no
/// window can see any more are trimmed (older than the longest window, or
/// beyond the largest count), and the key expires a second after the
/// longest window. Answers `{1, now}` (granted at `now` µs) or
/// `{0, wait}` (the first slot frees in `wait` µs).
///
/// Redis runs a script alone, so concurrent callers cannot both take the
/// last slot; `TIME` inside the script means every client is measured on
/// one clock, whatever the clocks of the machines they run on.
pub(crate) const RESERVE: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local n = tonumber(ARGV[2])
local longest, keep, free_at = 0, 0, 0
for i = 1, n do
  local count = tonumber(ARGV[1 + 2 * i])
  local per = tonumber(ARGV[2 + 2 * i])
  if per > longest then longest = per end
  if count > keep then keep = count end
  local nth = redis.call('ZREVRANGE', KEYS[1], count - 1, count - 1, 'WITHSCORES')
  if nth[2] then
    local at = tonumber(nth[2]) + per
    if at > now and at > free_at then free_at = at end
  end
end
if free_at > 0 then
  return {0, free_at - now}
end
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - longest)
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -(keep + 1))
redis.call('PEXPIRE', KEYS[1], math.floor(longest / 1000) + 1000)
return {1, now}
";

/// `KEYS[1]`: the credential's log. `ARGV[1]`: a member prefix unique to
/// this process and recovery; `ARGV[2]`: the key's expiry in ms; then the
/// ages in µs of grants made locally while Redis was away. Adds them at
/// `now - age` on Redis's clock, so the shared log counts them again.
pub(crate) const REPLAY: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
for i = 3, #ARGV do
  redis.call('ZADD', KEYS[1], now - tonumber(ARGV[i]), ARGV[1] .. ':' .. i)
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return #ARGV - 2
";
